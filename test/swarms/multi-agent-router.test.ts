import { describe, expect, it } from 'vitest';
import { runSwarm, SwarmRunError, SwarmSpecError } from '../../server/swarms/index.js';
import { agents, answerCalls, offlineHarness, scriptedHarness } from './harness.js';

describe('MultiAgentRouter', () => {
  it('has a built-in router hand off by description; every selected agent runs concurrently and every answer is kept', async () => {
    const { providers, recorder } = offlineHarness({ latencyMs: 20 });
    const result = await runSwarm({ agents: agents(['Tax', 'Legal', 'Audit']), task: 'Review the merger', swarm_type: 'MultiAgentRouter' }, { providers });
    const routerCall = recorder.calls[0]!;
    expect(routerCall).toMatchObject({ agent: 'Agent Router', structured: 'handoffs', model: 'gpt-4o' });
    expect(routerCall.input).toContain('- Legal: Legal handles its part');
    const decision = JSON.parse(result.output[0]!.content);
    expect(result.output[0]!.role).toBe('Agent Router');
    expect(decision.handoffs.map((h: { agent_name: string }) => h.agent_name)).toEqual(['Tax', 'Legal', 'Audit']);
    expect(result.output.slice(1).map((m) => m.role)).toEqual(['Tax', 'Legal', 'Audit']);
    expect(result.routing).toEqual([{ round: 1, router: 'Agent Router', handoffs: decision.handoffs }]);
    expect(answerCalls(recorder).every((c) => c.input === 'Review the merger')).toBe(true);
    expect(recorder.maxInFlight).toBe(3);
  });

  it('uses the router-role agent, runs only the chosen agents, each on its hand-off task', async () => {
    const { providers, recorder } = scriptedHarness((request) =>
      request.structured
        ? { handoffs: [{ agent_name: 'Legal', reasoning: 'contracts', task: 'Check the NDA' }, { agent_name: 'Audit', reasoning: 'numbers' }] }
        : `${request.agentName} done`,
    );
    const team = [{ agent_name: 'Boss', model_name: 'scripted/m', role: 'router' }, ...agents(['Tax', 'Legal', 'Audit'], { model_name: 'scripted/m' })];
    const result = await runSwarm({ agents: team, task: 'Review', swarm_type: 'MultiAgentRouter' }, { providers });
    expect(result.output.map((m) => m.role)).toEqual(['Boss', 'Legal', 'Audit']);
    expect(answerCalls(recorder).map((c) => [c.agent, c.input])).toEqual([
      ['Legal', 'Check the NDA'],
      ['Audit', 'Review'],
    ]);
    expect(recorder.calls[0]!.input).not.toContain('- Boss');
  });

  it('routes again each loop, showing the router and the agents the transcript', async () => {
    const { providers, recorder } = offlineHarness();
    const result = await runSwarm({ agents: agents(['A', 'B']), task: 'Iterate', swarm_type: 'MultiAgentRouter', max_loops: 2 }, { providers });
    expect(result.output.map((m) => m.role)).toEqual(['Agent Router', 'A', 'B', 'Agent Router', 'A', 'B']);
    expect(result.routing).toHaveLength(2);
    expect(recorder.calls[3]!.input).toContain('User: Iterate');
    expect(answerCalls(recorder)[2]!.input).toMatch(/Your task: Iterate$/);
  });

  it('fails with a clear error when the router names an unknown agent', async () => {
    const { providers } = scriptedHarness((request) => (request.structured ? { handoffs: [{ agent_name: 'Ghost', reasoning: '?' }] } : 'x'));
    const error = await runSwarm({ agents: agents(['A', 'B'], { model_name: 'scripted/m' }), task: 'Go', swarm_type: 'MultiAgentRouter' }, { providers }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(SwarmRunError);
    expect(error.code).toBe('invalid_model_output');
    expect(error.message).toContain('"Ghost"');
  });

  it('needs an agent besides the router', async () => {
    const { providers } = offlineHarness();
    const error = await runSwarm({ agents: [{ agent_name: 'R', model_name: 'gpt-4o', role: 'router' }], task: 'x', swarm_type: 'MultiAgentRouter' }, { providers }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(SwarmSpecError);
  });
});
