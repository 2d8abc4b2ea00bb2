import { describe, expect, it } from 'vitest';
import { runSwarm } from '../../server/swarms/index.js';
import { agents, offlineHarness, saw } from './harness.js';

describe('MixtureOfAgents', () => {
  it('runs max_loops layers (later layers see the previous one), then the last agent synthesizes', async () => {
    const { providers, recorder } = offlineHarness({ latencyMs: 10 });
    const result = await runSwarm({ agents: agents(['A', 'B', 'C']), task: 'Forecast demand', swarm_type: 'MixtureOfAgents', max_loops: 2 }, { providers });
    expect(result.output.map((m) => m.role)).toEqual(['A', 'B', 'C', 'A', 'B', 'C', 'C']);
    const [l1, l2, synthesis] = [result.output.slice(0, 3), result.output.slice(3, 6), result.output[6]!];
    for (const m of l1) expect(saw(m.content)).toEqual([]);
    for (const m of l2) expect(saw(m.content)).toEqual(['A', 'B', 'C']);
    expect(saw(synthesis.content)).toEqual(['A', 'B', 'C', 'A', 'B', 'C']);
    expect(recorder.calls.slice(0, 3).map((c) => c.input)).toEqual(['Forecast demand', 'Forecast demand', 'Forecast demand']);
    expect(recorder.calls[3]!.input.startsWith('Original task: Forecast demand\n\nPrevious layer answers:')).toBe(true);
    expect(recorder.maxInFlight).toBe(3);
    expect(result.final).toBe(synthesis.content);
  });

  it('uses the agent with role aggregator only as the aggregator', async () => {
    const { providers } = offlineHarness();
    const team = [...agents(['A', 'B']), { agent_name: 'Synth', model_name: 'gpt-4o', role: 'aggregator' }];
    const result = await runSwarm({ agents: team, task: 'Combine', swarm_type: 'MixtureOfAgents' }, { providers });
    expect(result.output.map((m) => m.role)).toEqual(['A', 'B', 'Synth']);
  });
});
