import { describe, expect, it } from 'vitest';
import { runSwarm, SwarmRunError } from '../../server/swarms/index.js';
import { agents, failure, offlineHarness, saw, scriptedHarness } from './harness.js';

describe('ConcurrentWorkflow', () => {
  it('gives every agent the raw task at the same time and records answers in list order', async () => {
    // The first-listed agent is the slowest, so completion order is the reverse of list order.
    const delays: Record<string, number> = { Alice: 60, Bob: 30, Carol: 0 };
    const { providers, recorder } = offlineHarness({ latencyMs: 20, delayFor: (agent) => delays[agent] ?? 0 });
    const result = await runSwarm({ agents: agents(['Alice', 'Bob', 'Carol']), task: 'Assess risk', swarm_type: 'ConcurrentWorkflow' }, { providers });
    expect(recorder.maxInFlight).toBe(3);
    expect(recorder.calls.map((c) => c.input)).toEqual(['Assess risk', 'Assess risk', 'Assess risk']);
    expect(result.output.map((m) => m.role)).toEqual(['Alice', 'Bob', 'Carol']);
    expect(result.output.every((m) => saw(m.content).length === 0)).toBe(true);
  });

  it('shows every agent all previous answers in later loops', async () => {
    const { providers } = offlineHarness();
    const result = await runSwarm({ agents: agents(['Alice', 'Bob', 'Carol']), task: 'Assess', swarm_type: 'ConcurrentWorkflow', max_loops: 2 }, { providers });
    expect(result.output.map((m) => m.role)).toEqual(['Alice', 'Bob', 'Carol', 'Alice', 'Bob', 'Carol']);
    for (const message of result.output.slice(3)) expect(saw(message.content)).toEqual(['Alice', 'Bob', 'Carol']);
  });

  it("reports a failing agent without losing the others' answers", async () => {
    const { providers } = scriptedHarness((request) => (request.agentName === 'Bob' ? failure('Bob exploded') : 'fine'));
    const result = await runSwarm(
      { agents: agents(['Alice', 'Bob', 'Carol'], { model_name: 'scripted/m' }), task: 'Go', swarm_type: 'ConcurrentWorkflow' },
      { providers },
    );
    expect(result.status).toBe('partial');
    expect(result.output.map((m) => m.role)).toEqual(['Alice', 'Carol']);
    expect(result.errors).toEqual([{ agent_name: 'Bob', loop: 1, message: expect.stringContaining('Bob exploded') }]);
  });

  it('fails the run when no agent answers, keeping usage in the partial result', async () => {
    const { providers } = scriptedHarness(() => failure('down'));
    const error = await runSwarm({ agents: agents(['Alice', 'Bob'], { model_name: 'scripted/m' }), task: 'Go', swarm_type: 'ConcurrentWorkflow' }, { providers }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(SwarmRunError);
    expect(error.code).toBe('provider');
    expect(error.partial.output).toEqual([]);
  });
});
