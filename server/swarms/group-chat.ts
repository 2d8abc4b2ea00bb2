import type { AgentSpec } from '../../shared/swarm-spec.js';
import { SwarmSpecError } from './errors.js';
import { findMentions } from './mentions.js';
import { groupChatInput } from './prompts.js';
import { asked, everyLoop, modelCallsOf, type SwarmTypeModule } from './swarm-type.js';

/**
 * `max_loops` rounds; in each, every agent speaks exactly once. The next speaker is the first
 * agent the last message addresses as `@Name` among those who have not spoken this round (a
 * speaker addressing itself does not count); otherwise the next in list order. Each speaker
 * is shown the task and the whole transcript.
 */
export const groupChat: SwarmTypeModule = {
  validate(spec) {
    if (spec.agents.length < 2) {
      throw new SwarmSpecError(`GroupChat needs at least 2 agents, got ${spec.agents.length}`, 'agents');
    }
  },

  /** Exact: mentions only change the order; every agent speaks once per round. */
  minimumCalls(spec) {
    return modelCallsOf(everyLoop(spec.max_loops, spec.agents.map(asked)));
  },

  async run(ctx) {
    let final = '';
    let lastSpeaker: AgentSpec | undefined;
    for (let round = 1; round <= ctx.spec.max_loops; round++) {
      const waiting = [...ctx.agents];
      while (waiting.length > 0) {
        const lastMessage = ctx.transcript.entries().at(-1)?.content ?? '';
        const addressed = findMentions(lastMessage, waiting).find((agent) => agent !== lastSpeaker);
        const speaker = addressed ?? waiting[0]!;
        waiting.splice(waiting.indexOf(speaker), 1);
        final = await ctx.ask(speaker, groupChatInput(ctx.transcript.render(), speaker, ctx.agents));
        ctx.transcript.add(speaker.agent_name, final);
        lastSpeaker = speaker;
      }
    }
    return { final };
  },
};
