import { describe, expect, it } from 'vitest';
import { normalizeVote, runSwarm, tallyVotes } from '../../server/swarms/index.js';
import { agents, answerCalls, offlineHarness, scriptedHarness } from './harness.js';

describe('MajorityVoting', () => {
  it('counts normalized final lines; the judge sees answers and tally and does not vote', async () => {
    const answers: Record<string, string> = {
      V1: 'Paris has the most sites.\nAnswer: Paris',
      V2: 'Considering cost...\n**Final answer:** paris.',
      V3: 'Lyon is cheaper.\n\nLyon',
      Judge: 'Consensus: Paris',
    };
    const { providers, recorder } = scriptedHarness((request) => answers[request.agentName!]!, () => 10);
    const team = [...agents(['V1', 'V2', 'V3'], { model_name: 'scripted/m' }), { agent_name: 'Judge', model_name: 'scripted/m', role: 'judge' }];
    const result = await runSwarm({ agents: team, task: 'Best city for the offsite?', swarm_type: 'MajorityVoting' }, { providers });
    expect(recorder.maxInFlight).toBe(3);
    expect(result.voting).toMatchObject({ tally: { paris: 2, lyon: 1 }, winner: 'paris', tie: null, consensus: 'Consensus: Paris' });
    expect(result.voting!.votes).toEqual([
      { agent_name: 'V1', answer: 'paris' },
      { agent_name: 'V2', answer: 'paris' },
      { agent_name: 'V3', answer: 'lyon' },
    ]);
    const judgeCall = answerCalls(recorder).find((c) => c.agent === 'Judge')!;
    expect(judgeCall.input).toContain('- "paris": 2\n- "lyon": 1');
    expect(judgeCall.input).toContain(answers['V3']);
    expect(result.output.map((m) => m.role)).toEqual(['V1', 'V2', 'V3', 'Judge']);
    expect(result.final).toBe('Consensus: Paris');
  });

  it('reports a tie instead of inventing a winner', async () => {
    const { providers } = scriptedHarness((request) => (request.agentName === 'A' ? 'yes' : request.agentName === 'B' ? 'no' : 'undecided'));
    const team = [...agents(['A', 'B'], { model_name: 'scripted/m' }), { agent_name: 'J', model_name: 'scripted/m', role: 'consensus' }];
    const result = await runSwarm({ agents: team, task: 'Go?', swarm_type: 'MajorityVoting' }, { providers });
    expect(result.voting).toMatchObject({ winner: null, tie: ['yes', 'no'], tally: { yes: 1, no: 1 } });
  });

  it('on offline: the last agent votes and judges; max_loops voting rounds see the transcript', async () => {
    const { providers, recorder } = offlineHarness();
    const result = await runSwarm({ agents: agents(['A', 'B', 'C']), task: 'Pick a color', swarm_type: 'MajorityVoting', max_loops: 2 }, { providers });
    expect(result.output.map((m) => m.role)).toEqual(['A', 'B', 'C', 'C', 'A', 'B', 'C', 'C']);
    expect(result.voting!.rounds).toHaveLength(2);
    // Same model, same question: the deterministic voters agree.
    expect(result.voting!.rounds[0]!.winner).not.toBeNull();
    expect(Object.values(result.voting!.rounds[0]!.tally)).toEqual([3]);
    const round2Inputs = answerCalls(recorder).slice(4, 7).map((c) => c.input);
    for (const input of round2Inputs) expect(input.startsWith('User: Pick a color')).toBe(true);
  });
});

describe('vote counting', () => {
  it('normalizes labels, emphasis, case, spacing and trailing punctuation of the last line', () => {
    expect(normalizeVote('blah\n\n  **Final Answer:**   Blue  Whale!  \n')).toBe('blue whale');
    expect(normalizeVote('Vote - YES')).toBe('yes');
    expect(normalizeVote('')).toBe('');
  });

  it('tallies, ranks by count and detects ties', () => {
    expect(tallyVotes(['b', 'a', 'a'])).toEqual({ counts: { a: 2, b: 1 }, winner: 'a', tie: null });
    expect(tallyVotes(['b', 'a'])).toEqual({ counts: { b: 1, a: 1 }, winner: null, tie: ['b', 'a'] });
    expect(tallyVotes([])).toEqual({ counts: {}, winner: null, tie: null });
  });
});
