import { describe, expect, it } from 'vitest';
import { EXAMPLE_SWARM_SPEC } from '../../shared/swarm-spec.js';
import { createProviderRegistry, runSwarm, SwarmRunError, SwarmSpecError, type SwarmEvent } from '../../server/swarms/index.js';
import { agents, collectEvents, offlineHarness, scriptedHarness } from './harness.js';

describe('runSwarm result', () => {
  it('runs the original example on offline with the Swarms API response shape', async () => {
    const providers = createProviderRegistry({ env: { SWARMTASK_MODEL_MAP: '*=offline' } });
    const result = await runSwarm(EXAMPLE_SWARM_SPEC, { providers });
    expect(result).toMatchObject({
      status: 'success',
      swarm_name: 'Financial Analysis Swarm',
      description: 'Market analysis swarm',
      swarm_type: 'ConcurrentWorkflow',
      task: 'Analyze market trends for AI and tech sectors',
      number_of_agents: 1,
      providers: ['offline'],
    });
    expect(result.job_id).toMatch(/^swarms-[A-Za-z0-9]{28}$/);
    expect(result.output).toEqual([{ role: 'Market Analyst', content: expect.stringContaining('<<Market Analyst>>') }]);
    expect(result.final).toBe(result.output[0]!.content);
    expect(typeof result.execution_time).toBe('number');
    const analyst = result.usage.billing_info.cost_breakdown['Market Analyst']!;
    expect(analyst).toMatchObject({ provider: 'offline', model: 'gpt-4o', calls: 1, total_cost: 0 });
    expect(result.usage.input_tokens).toBe(analyst.input_tokens);
    expect(result.usage.total_tokens).toBe(analyst.input_tokens + analyst.output_tokens);
    expect(result.history!.map((h) => h.role)).toEqual(['User', 'Market Analyst']);
    for (const entry of result.history!) expect(new Date(entry.timestamp).toISOString()).toBe(entry.timestamp);
  });

  it('leaves history out when return_history is false', async () => {
    const { providers } = offlineHarness();
    const result = await runSwarm({ agents: agents(['A']), task: 't', return_history: false }, { providers });
    expect(result).not.toHaveProperty('history');
    expect(result.swarm_type).toBe('SequentialWorkflow');
  });

  it('prices every call from the table and breaks cost down per agent', async () => {
    const { providers } = scriptedHarness(() => 'ok');
    const team = [{ agent_name: 'A', model_name: 'scripted/gpt-4o' }, { agent_name: 'B', model_name: 'scripted/gpt-4o-mini' }];
    const result = await runSwarm({ agents: team, task: 't', swarm_type: 'ConcurrentWorkflow', max_loops: 2 }, { providers });
    // The scripted model reports 10 input and 5 output tokens per call.
    const { cost_breakdown, total_cost } = result.usage.billing_info;
    expect(cost_breakdown['A']).toMatchObject({ calls: 2, input_tokens: 20, output_tokens: 10, input_cost: 0.00005, output_cost: 0.0001, total_cost: 0.00015 });
    expect(cost_breakdown['B']).toMatchObject({ calls: 2, input_cost: 0.000003, output_cost: 0.000006, total_cost: 0.000009 });
    expect(total_cost).toBe(0.000159);
    expect(result.usage).toMatchObject({ input_tokens: 40, output_tokens: 20, total_tokens: 60 });
  });
});

describe('events', () => {
  it('streams swarm_start, agent_start, token, agent_end and swarm_end in a consistent order', async () => {
    const { providers } = offlineHarness({ latencyMs: 5 });
    const { events, onEvent } = collectEvents();
    const result = await runSwarm({ agents: agents(['A', 'B', 'C']), task: 'Go', swarm_type: 'ConcurrentWorkflow' }, { providers, onEvent, jobId: 'job-1' });
    expect(events[0]).toMatchObject({ type: 'swarm_start', job_id: 'job-1', swarm_type: 'ConcurrentWorkflow', number_of_agents: 3 });
    expect(events.at(-1)).toMatchObject({ type: 'swarm_end', status: 'success', usage: result.usage });
    expect(events.every((e) => e.job_id === 'job-1')).toBe(true);
    const starts = events.filter((e): e is Extract<SwarmEvent, { type: 'agent_start' }> => e.type === 'agent_start');
    expect(starts.map((e) => e.agent_name).sort()).toEqual(['A', 'B', 'C']);
    for (const start of starts) {
      expect(start).toMatchObject({ provider: 'offline', model: 'gpt-4o', purpose: 'answer' });
      const ofCall = events.filter((e) => 'call_id' in e && e.call_id === start.call_id);
      expect(ofCall[0]).toBe(start);
      const end = ofCall.at(-1) as Extract<SwarmEvent, { type: 'agent_end' }>;
      expect(end.type).toBe('agent_end');
      const tokens = ofCall.filter((e): e is Extract<SwarmEvent, { type: 'token' }> => e.type === 'token').map((e) => e.text);
      expect(tokens.join('')).toBe(end.content);
      expect(result.output.find((m) => m.role === start.agent_name)!.content).toBe(end.content);
    }
  });

  it('ignores a listener that throws', async () => {
    const { providers } = offlineHarness();
    const result = await runSwarm({ agents: agents(['A']), task: 'Go' }, { providers, onEvent: () => { throw new Error('listener broke'); } });
    expect(result.status).toBe('success');
  });

  it('reports a failure as error and swarm_end(failed), and throws with the partial result', async () => {
    const { providers } = scriptedHarness((request) => (request.agentName === 'B' ? new Error('boom') : 'fine'));
    const { events, onEvent } = collectEvents();
    const error = await runSwarm({ agents: agents(['A', 'B'], { model_name: 'scripted/m' }), task: 'Go', swarm_type: 'SequentialWorkflow' }, { providers, onEvent }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(SwarmRunError);
    expect(error.partial.output.map((m: { role: string }) => m.role)).toEqual(['A']);
    expect(error.partial.usage.billing_info.cost_breakdown['A'].calls).toBe(1);
    expect(events.filter((e) => e.type === 'error').length).toBeGreaterThan(0);
    expect(events.at(-1)).toMatchObject({ type: 'swarm_end', status: 'failed' });
  });
});

describe('cancellation', () => {
  it('aborts in-flight calls and stops the run when the signal fires', async () => {
    const { providers, recorder } = offlineHarness({ latencyMs: 60_000 });
    const controller = new AbortController();
    const { events, onEvent } = collectEvents();
    const pending = runSwarm({ agents: agents(['A', 'B', 'C']), task: 'Long job', swarm_type: 'SequentialWorkflow' }, {
      providers,
      signal: controller.signal,
      onEvent: (event) => {
        onEvent(event);
        if (event.type === 'agent_start') controller.abort();
      },
    }).catch((e) => e);
    const error = await pending;
    expect(error).toBeInstanceOf(SwarmRunError);
    expect(error.code).toBe('aborted');
    expect(recorder.calls.map((c) => c.agent)).toEqual(['A']);
    expect(events.at(-1)).toMatchObject({ type: 'swarm_end', status: 'aborted' });
  });

  it('does not start when the signal is already aborted', async () => {
    const { providers, recorder } = offlineHarness();
    const error = await runSwarm({ agents: agents(['A']), task: 'x' }, { providers, signal: AbortSignal.abort() }).catch((e) => e);
    expect(error).toMatchObject({ code: 'aborted' });
    expect(recorder.calls).toHaveLength(0);
  });
});

describe('spec errors (before any model call)', () => {
  it('schema violations are 422s naming the field', async () => {
    const { providers } = offlineHarness();
    const bad = await runSwarm({ agents: [{ agent_name: 'A', model_name: 'gpt-4o', temperature: 5 }], task: 'x' } as never, { providers }).catch((e) => e);
    expect(bad).toBeInstanceOf(SwarmSpecError);
    expect(bad).toMatchObject({ status: 422, field: 'agents.0.temperature' });
    const badType = await runSwarm({ agents: agents(['A']), task: 'x', swarm_type: 'Swarmy' } as never, { providers }).catch((e) => e);
    expect(badType).toMatchObject({ status: 422, field: 'swarm_type' });
    const noTask = await runSwarm({ agents: agents(['A']) } as never, { providers }).catch((e) => e);
    expect(noTask).toMatchObject({ status: 422, field: 'task' });
  });

  it('duplicate agent names are a 400 naming the second one', async () => {
    const { providers } = offlineHarness();
    const error = await runSwarm({ agents: agents(['A', 'B', 'A']), task: 'x' }, { providers }).catch((e) => e);
    expect(error).toMatchObject({ status: 400, field: 'agents.2.agent_name' });
  });

  it('an unmapped model without a key is a 400 that says which variable to set', async () => {
    const providers = createProviderRegistry({ env: {} });
    const error = await runSwarm(EXAMPLE_SWARM_SPEC, { providers }).catch((e) => e);
    expect(error).toBeInstanceOf(SwarmSpecError);
    expect(error).toMatchObject({ status: 400, field: 'agents.0.model_name' });
    expect(error.message).toContain('OPENAI_API_KEY');
  });
});
