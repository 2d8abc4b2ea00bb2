import { describe, expect, it } from 'vitest';
import { runSwarm, SwarmSpecError } from '../../server/swarms/index.js';
import { findMentions } from '../../server/swarms/mentions.js';
import { agents, offlineHarness, saw, scriptedHarness } from './harness.js';

describe('GroupChat', () => {
  it('needs at least two agents', async () => {
    const { providers } = offlineHarness();
    const error = await runSwarm({ agents: agents(['Solo']), task: 'Talk', swarm_type: 'GroupChat' }, { providers }).catch((e) => e);
    expect(error).toBeInstanceOf(SwarmSpecError);
    expect(error.field).toBe('agents');
    expect(error.message).toContain('at least 2');
  });

  it('lets every agent speak once per loop, round-robin, each seeing the task and the transcript', async () => {
    const { providers, recorder } = offlineHarness();
    const result = await runSwarm({ agents: agents(['Ann', 'Ben', 'Cy']), task: 'Pick a venue', swarm_type: 'GroupChat', max_loops: 2 }, { providers });
    expect(result.output.map((m) => m.role)).toEqual(['Ann', 'Ben', 'Cy', 'Ann', 'Ben', 'Cy']);
    expect(saw(result.output[4]!.content)).toEqual(['Ann', 'Ben', 'Cy', 'Ann']);
    expect(recorder.calls[1]!.input.startsWith(`User: Pick a venue\n\nAnn: ${result.output[0]!.content}`)).toBe(true);
    expect(recorder.calls[1]!.input).toContain('You are Ben.');
  });

  it('gives the floor to the agent the last message addresses with @Name', async () => {
    // Ann hands to Cy; Cy addresses Ann, who already spoke this round, so Ben follows; Ben's
    // "@Cy" opens round 2 with Cy; Cy then addresses itself, which does not count.
    const lines: Record<string, string[]> = { Ann: ['I defer to @cy on this.', 'ok'], Ben: ['Over to @Cy next round.'], Cy: ['Thanks @Ann.', 'Me again, @Cy.'] };
    const { providers } = scriptedHarness((request) => lines[request.agentName!]!.shift() ?? '...');
    const result = await runSwarm(
      { agents: agents(['Ann', 'Ben', 'Cy'], { model_name: 'scripted/m' }), task: 'Decide', swarm_type: 'GroupChat', max_loops: 2 },
      { providers },
    );
    expect(result.output.map((m) => m.role)).toEqual(['Ann', 'Cy', 'Ben', 'Cy', 'Ann', 'Ben']);
  });

  it('lets the task address the first speaker', async () => {
    const { providers } = offlineHarness();
    const result = await runSwarm({ agents: agents(['Ann', 'Ben']), task: '@Ben please open', swarm_type: 'GroupChat' }, { providers });
    expect(result.output.map((m) => m.role)).toEqual(['Ben', 'Ann']);
  });
});

describe('findMentions', () => {
  const team = agents(['Ann', 'Ann Lee', 'Bob']).map((a) => ({ ...a, role: 'worker', max_loops: 1, max_tokens: 1, temperature: 0 }));
  it('matches names case-insensitively at word boundaries, longest name first, in order of appearance', () => {
    expect(findMentions('@bob then @Ann Lee', team).map((a) => a.agent_name)).toEqual(['Bob', 'Ann Lee']);
    expect(findMentions('@Ann, then @Bobby', team).map((a) => a.agent_name)).toEqual(['Ann']);
    expect(findMentions('mail ann@example.com', team)).toEqual([]);
  });
});
