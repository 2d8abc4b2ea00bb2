import { describe, expect, it } from 'vitest';
import { runSwarm, SwarmRunError } from '../../server/swarms/index.js';
import { agents, answerCalls, offlineHarness, saw, scriptedHarness } from './harness.js';

describe('HiearchicalSwarm', () => {
  it('plans, runs the orders, reviews; max_loops rounds; the last review is the answer (alias HierarchicalSwarm)', async () => {
    const { providers, recorder } = offlineHarness();
    const result = await runSwarm({ agents: agents(['Dev', 'QA']), task: 'Ship v2', swarm_type: 'HierarchicalSwarm', max_loops: 2 }, { providers });
    expect(result.swarm_type).toBe('HiearchicalSwarm');
    expect(result.output.map((m) => m.role)).toEqual(['Director', 'Dev', 'QA', 'Director', 'Director', 'Dev', 'QA', 'Director']);
    expect(recorder.calls.filter((c) => c.structured === 'orders').map((c) => c.agent)).toEqual(['Director', 'Director']);
    expect(result.output[0]!.content).toMatch(/^Plan: .*\nOrders:\n- Dev: .*\n- QA: /s);
    const review = result.output[3]!;
    expect(saw(review.content)).toEqual(['Dev', 'QA']);
    expect(result.final).toBe(result.output[7]!.content);
    expect(result.hierarchy).toHaveLength(2);
    expect(result.hierarchy![1]!.feedback).toBe(result.final);
    const devCall = answerCalls(recorder).find((c) => c.agent === 'Dev')!;
    expect(devCall.input).toContain(`Your order from the director: ${result.hierarchy![0]!.orders[0]!.task}`);
  });

  it('runs orders to different agents concurrently and several orders to one agent in turn', async () => {
    const { providers, recorder } = scriptedHarness(
      (request) =>
        request.structured
          ? {
              plan: 'split',
              orders: [
                { agent_name: 'Dev', task: 'build' },
                { agent_name: 'QA', task: 'test plan' },
                { agent_name: 'Dev', task: 'fix' },
              ],
            }
          : `${request.agentName}: ${request.messages.at(-1)!.content.split('director: ').at(-1)}`,
      () => 20,
    );
    const team = [{ agent_name: 'Lead', model_name: 'scripted/m', role: 'director' }, ...agents(['Dev', 'QA'], { model_name: 'scripted/m' })];
    const result = await runSwarm({ agents: team, task: 'Release', swarm_type: 'HiearchicalSwarm' }, { providers });
    expect(result.output.map((m) => m.content)).toEqual([expect.stringContaining('Plan: split'), 'Dev: build', 'QA: test plan', 'Dev: fix', expect.any(String)]);
    expect(result.output[4]!.role).toBe('Lead');
    expect(recorder.maxInFlight).toBe(2);
    expect(recorder.maxInFlightPerAgent.get('Dev')).toBe(1);
  });

  it('fails with a clear error on an order to an unknown agent', async () => {
    const { providers } = scriptedHarness((request) => (request.structured ? { plan: 'p', orders: [{ agent_name: 'Nobody', task: 't' }] } : 'x'));
    const error = await runSwarm({ agents: agents(['Dev'], { model_name: 'scripted/m' }), task: 'x', swarm_type: 'HiearchicalSwarm' }, { providers }).catch((e) => e);
    expect(error).toBeInstanceOf(SwarmRunError);
    expect(error).toMatchObject({ code: 'invalid_model_output', agentName: 'Director' });
    expect(error.message).toContain('"Nobody"');
  });

  it('names the built-in director apart from an agent already called Director', async () => {
    const { providers } = offlineHarness();
    const result = await runSwarm({ agents: agents(['Director', 'QA']), task: 'x', swarm_type: 'HiearchicalSwarm' }, { providers });
    expect(result.output.map((m) => m.role)).toEqual(['Director (built-in)', 'Director', 'QA', 'Director (built-in)']);
    expect(Object.keys(result.usage.billing_info.cost_breakdown).sort()).toEqual(['Director', 'Director (built-in)', 'QA']);
  });
});
