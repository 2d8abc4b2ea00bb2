import type { SwarmSpec } from '../../shared/swarm-spec.js';
import { SwarmSpecError } from './errors.js';
import { consensusInput, VOTE_INSTRUCTION } from './prompts.js';
import { findAgentByRole } from './roles.js';
import { renderMessages } from './transcript.js';
import type { VotingRound } from './types.js';
import { asked, everyLoop, modelCallsOf, type SwarmTypeModule } from './swarm-type.js';
import { normalizeVote, tallyVotes } from './vote-count.js';

/**
 * Voters answer concurrently; each answer's final line is normalized and counted. The
 * consensus agent (role `consensus`/`judge`, which then does not vote; else the last agent,
 * which also votes) is shown the answers and the tally and writes the consensus. `max_loops` =
 * voting rounds: later rounds show voters the whole transcript, including the previous
 * consensus. The result holds each round's tally, winner or tie, and the consensus. A voter
 * that fails is reported in `errors` and does not vote.
 */
function roles(spec: SwarmSpec) {
  const explicit = findAgentByRole(spec.agents, ['consensus', 'judge']);
  const judge = explicit ?? spec.agents.at(-1)!;
  const voters = explicit ? spec.agents.filter((a) => a !== explicit) : spec.agents;
  return { judge, voters };
}

export const majorityVoting: SwarmTypeModule = {
  validate(spec) {
    if (roles(spec).voters.length === 0) {
      throw new SwarmSpecError('MajorityVoting needs at least one voter besides the consensus agent', 'agents');
    }
  },

  /** Exact: every voter, then the consensus agent, once per round. */
  minimumCalls(spec) {
    const { judge, voters } = roles(spec);
    return modelCallsOf(everyLoop(spec.max_loops, [...voters.map(asked), asked(judge)]));
  },

  async run(ctx) {
    const { judge, voters } = roles(ctx.spec);
    const rounds: VotingRound[] = [];
    let consensus = '';
    for (let round = 1; round <= ctx.spec.max_loops; round++) {
      const input = `${round === 1 ? ctx.spec.task : ctx.transcript.render()}\n\n${VOTE_INSTRUCTION}`;
      const settled = await ctx.settle(voters, (agent, signal) => ctx.ask(agent, input, signal));
      const answers: { role: string; content: string }[] = [];
      settled.forEach((result, index) => {
        const voter = voters[index]!;
        if (result.status === 'fulfilled') answers.push({ role: voter.agent_name, content: result.value });
        else ctx.recordFailure(voter.agent_name, round, result.reason);
      });
      if (answers.length === 0) throw (settled[0] as PromiseRejectedResult).reason;
      for (const answer of answers) ctx.transcript.add(answer.role, answer.content);
      const votes = answers.map((a) => ({ agent_name: a.role, answer: normalizeVote(a.content) }));
      const tally = tallyVotes(votes.map((v) => v.answer));
      rounds.push({ round, votes, tally: tally.counts, winner: tally.winner, tie: tally.tie });
      const tallyText = Object.entries(tally.counts)
        .map(([vote, count]) => `- "${vote}": ${count}`)
        .join('\n');
      consensus = await ctx.ask(judge, consensusInput(ctx.spec.task, renderMessages(answers), tallyText));
      ctx.transcript.add(judge.agent_name, consensus);
    }
    return { final: consensus, extras: { voting: { ...rounds.at(-1)!, rounds, consensus } } };
  },
};
