import { describe, expect, it } from 'vitest';
import { runSwarm } from '../../server/swarms/index.js';
import { agents, offlineHarness, saw } from './harness.js';

describe('SequentialWorkflow', () => {
  it('runs agents in list order, each given the task and the whole transcript so far', async () => {
    const { providers, recorder } = offlineHarness();
    const result = await runSwarm({ agents: agents(['Alice', 'Bob', 'Carol']), task: 'Plan a launch', swarm_type: 'SequentialWorkflow' }, { providers });
    expect(result.output.map((m) => m.role)).toEqual(['Alice', 'Bob', 'Carol']);
    expect(recorder.calls.map((c) => c.agent)).toEqual(['Alice', 'Bob', 'Carol']);
    expect(recorder.calls[0]!.input).toBe('User: Plan a launch');
    expect(recorder.calls[1]!.input).toBe(`User: Plan a launch\n\nAlice: ${result.output[0]!.content}`);
    expect(result.output.map((m) => saw(m.content))).toEqual([[], ['Alice'], ['Alice', 'Bob']]);
    expect(result.final).toBe(result.output[2]!.content);
    expect(recorder.maxInFlight).toBe(1);
  });

  it('repeats the chain max_loops times, later loops seeing the earlier ones', async () => {
    const { providers } = offlineHarness();
    const result = await runSwarm({ agents: agents(['Alice', 'Bob']), task: 'Refine', swarm_type: 'SequentialWorkflow', max_loops: 2 }, { providers });
    expect(result.output.map((m) => m.role)).toEqual(['Alice', 'Bob', 'Alice', 'Bob']);
    expect(saw(result.output[2]!.content)).toEqual(['Alice', 'Bob']);
    expect(saw(result.output[3]!.content)).toEqual(['Alice', 'Bob', 'Alice']);
  });

  it('accepts a single agent', async () => {
    const { providers } = offlineHarness();
    const result = await runSwarm({ agents: agents(['Solo']), task: 'Alone', swarm_type: 'SequentialWorkflow' }, { providers });
    expect(result.output.map((m) => m.role)).toEqual(['Solo']);
    expect(result.status).toBe('success');
  });
});
