import { describe, expect, it } from 'vitest';
import { runSwarm, SwarmSpecError } from '../../server/swarms/index.js';
import { agents, offlineHarness, saw } from './harness.js';

const team = agents(['A', 'B', 'C', 'D']);

describe('AgentRearrange', () => {
  it('runs a comma group concurrently on one snapshot: members never see each other', async () => {
    // C is faster than B, yet answers are recorded in flow order.
    const { providers, recorder } = offlineHarness({ latencyMs: 20, delayFor: (agent) => (agent === 'B' ? 40 : 0) });
    const result = await runSwarm({ agents: team, task: 'Ship it', swarm_type: 'AgentRearrange', rearrange_flow: 'A -> B, C -> D' }, { providers });
    expect(result.output.map((m) => m.role)).toEqual(['A', 'B', 'C', 'D']);
    const byRole = Object.fromEntries(result.output.map((m) => [m.role, saw(m.content)]));
    expect(byRole).toEqual({ A: [], B: ['A'], C: ['A'], D: ['A', 'B', 'C'] });
    const inputs = Object.fromEntries(recorder.calls.map((c) => [c.agent, c.input]));
    expect(inputs['B']).toBe(inputs['C']);
    expect(recorder.maxInFlight).toBe(2);
  });

  it('lets a name repeat and repeats the whole flow max_loops times', async () => {
    const { providers } = offlineHarness();
    const result = await runSwarm({ agents: team, task: 'Draft', swarm_type: 'AgentRearrange', rearrange_flow: 'A -> B -> A', max_loops: 2 }, { providers });
    expect(result.output.map((m) => m.role)).toEqual(['A', 'B', 'A', 'A', 'B', 'A']);
    expect(saw(result.output[2]!.content)).toEqual(['A', 'B']);
    expect(saw(result.output[5]!.content)).toEqual(['A', 'B', 'A', 'A', 'B']);
  });

  it('treats a flow without -> as a fan-out, and runs only the agents in the flow', async () => {
    const { providers, recorder } = offlineHarness({ latencyMs: 20 });
    const result = await runSwarm({ agents: team, task: 'Fan', swarm_type: 'AgentRearrange', rearrange_flow: 'A, B, C' }, { providers });
    expect(result.output.map((m) => m.role)).toEqual(['A', 'B', 'C']);
    expect(result.output.every((m) => saw(m.content).length === 0)).toBe(true);
    expect(recorder.maxInFlight).toBe(3);
  });

  it('rejects a missing flow, and a bad token before calling any model', async () => {
    const { providers, recorder } = offlineHarness();
    const missing = await runSwarm({ agents: team, task: 'x', swarm_type: 'AgentRearrange' }, { providers }).catch((e) => e);
    expect(missing).toBeInstanceOf(SwarmSpecError);
    expect(missing.field).toBe('rearrange_flow');
    const unknown = await runSwarm({ agents: team, task: 'x', swarm_type: 'AgentRearrange', rearrange_flow: 'A -> Z' }, { providers }).catch((e) => e);
    expect(unknown).toMatchObject({ field: 'rearrange_flow', status: 400 });
    expect(unknown.message).toContain('"Z"');
    expect(recorder.calls).toHaveLength(0);
  });
});
