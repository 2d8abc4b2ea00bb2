import { describe, expect, it } from 'vitest';
import { createProviderRegistry } from '../../server/llm/index.js';
import { runSwarm, SwarmRunError, type SwarmResult } from '../../server/swarms/index.js';
import { agents, collectEvents, offlineHarness, recording, scriptedProvider } from './harness.js';

/** Runs and returns the budget error (failing the test if the run does not fail for its budget). */
async function budgetError(run: Promise<SwarmResult>): Promise<SwarmRunError & { partial: SwarmResult }> {
  const error = await run.then(
    () => expect.fail('the run should have stopped at its budget'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SwarmRunError);
  expect((error as SwarmRunError).code).toBe('budget');
  return error as SwarmRunError & { partial: SwarmResult };
}

describe('a swarm run within a budget', () => {
  it('refuses the call past maxCalls and stops the whole run, keeping what was paid for', async () => {
    const { providers, recorder } = offlineHarness();
    const { events, onEvent } = collectEvents();
    const error = await budgetError(
      runSwarm({ agents: agents(['Ann', 'Ben', 'Cy']), task: 'Plan', swarm_type: 'SequentialWorkflow', max_loops: 2 }, { providers, onEvent, budget: { maxCalls: 4 } }),
    );
    expect(error.message).toBe("over the run's budget: 4 model calls made, the limit is 4");
    expect(error.agentName).toBe('Ben');
    expect(recorder.calls).toHaveLength(4);
    expect(error.partial.output.map((m) => m.role)).toEqual(['Ann', 'Ben', 'Cy', 'Ann']);
    expect(Object.values(error.partial.usage.billing_info.cost_breakdown).reduce((n, agent) => n + agent.calls, 0)).toBe(4);
    expect(events.filter((e) => e.type === 'agent_start')).toHaveLength(4);
    expect(events.at(-1)).toMatchObject({ type: 'swarm_end', status: 'failed' });
  });

  it('stops a swarm that tolerates failing agents too: the budget is not one agent failing', async () => {
    const { providers, recorder } = offlineHarness();
    const error = await budgetError(
      runSwarm({ agents: agents(['Ann', 'Ben', 'Cy']), task: 'Assess', swarm_type: 'ConcurrentWorkflow', max_loops: 3 }, { providers, budget: { maxCalls: 2 } }),
    );
    expect(error.message).toBe("over the run's budget: 2 model calls made, the limit is 2");
    expect(recorder.calls).toHaveLength(2);
    expect(error.partial.errors ?? []).toEqual([]);
  });

  it('stops when tokens cross maxTokens, cutting off the calls in flight', async () => {
    // Ann answers at once; Ben and Cy are still thinking when Ann's tokens cross the limit.
    const { providers, recorder } = offlineHarness({ delayFor: (agent) => (agent === 'Ann' ? 0 : 600_000) });
    const error = await budgetError(
      runSwarm({ agents: agents(['Ann', 'Ben', 'Cy']), task: 'Assess the risk of this plan', swarm_type: 'ConcurrentWorkflow' }, { providers, budget: { maxTokens: 10 } }),
    );
    expect(error.message).toMatch(/^over the run's budget: \d+ tokens used, the limit is 10$/);
    expect(error.agentName).toBe('Ann');
    expect(recorder.calls.map((c) => c.agent)).toEqual(['Ann', 'Ben', 'Cy']);
    // A concurrent loop records its answers when the loop ends, so none are in the output; Ann's call is in the usage.
    expect(error.partial.output).toEqual([]);
    expect(Object.keys(error.partial.usage.billing_info.cost_breakdown)).toEqual(['Ann']);
    // (Had Ben's and Cy's 10-minute calls not been cut off, the run would outlast the test's time limit.)
  });

  it('stops when the priced cost crosses maxCostUsd; unlimited runs are unchanged', async () => {
    // Every scripted call: 10 input + 5 output tokens; at $1,000 / $2,000 per million that is $0.02.
    const { provider, recorder } = recording(scriptedProvider(() => 'ok'));
    const providers = createProviderRegistry({ providers: { scripted: provider }, prices: { m: { input: 1000, output: 2000 } } });
    const spec = { agents: agents(['Ann', 'Ben', 'Cy', 'Di'], { model_name: 'scripted/m' }), task: 'Go', swarm_type: 'SequentialWorkflow' as const };
    const error = await budgetError(runSwarm(spec, { providers, budget: { maxCostUsd: 0.05 } }));
    expect(error.message).toBe("over the run's budget: $0.06 spent, the limit is $0.05");
    expect(error.agentName).toBe('Cy');
    expect(error.partial.usage.billing_info.total_cost).toBeCloseTo(0.06, 10);
    expect(recorder.calls).toHaveLength(3);

    const whole = await runSwarm(spec, { providers, budget: { maxCostUsd: 0.08, maxCalls: 4, maxTokens: 60 } });
    expect(whole.status).toBe('success');
    expect(whole.output).toHaveLength(4);
  });
});
