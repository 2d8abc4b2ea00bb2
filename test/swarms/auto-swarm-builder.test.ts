import { describe, expect, it } from 'vitest';
import { SWARM_TYPES } from '../../shared/swarm-spec.js';
import { runSwarm, SwarmRunError } from '../../server/swarms/index.js';
import { agents, answerCalls, offlineHarness, scriptedHarness } from './harness.js';

describe('AutoSwarmBuilder', () => {
  it('has a builder design agents and a type by structured output, then runs that swarm', async () => {
    const { providers, recorder } = offlineHarness();
    const result = await runSwarm({ agents: agents(['Seed']), task: 'Write a market report', swarm_type: 'AutoSwarmBuilder' }, { providers });
    const spec = result.generated_spec!;
    expect(recorder.calls[0]).toMatchObject({ agent: 'Swarm Builder', structured: 'swarm_design', model: 'gpt-4o' });
    expect(SWARM_TYPES).toContain(spec.swarm_type);
    expect(['AutoSwarmBuilder', 'auto']).not.toContain(spec.swarm_type);
    expect(spec.agents.length).toBeGreaterThanOrEqual(2);
    expect(spec.agents.every((a) => a.model_name === 'gpt-4o')).toBe(true);
    expect(result.output[0]).toEqual({ role: 'Swarm Builder', content: JSON.stringify(spec) });
    const generatedNames = new Set(spec.agents.map((a) => a.agent_name));
    const answered = answerCalls(recorder).map((c) => c.agent).filter((name) => generatedNames.has(name));
    expect(new Set(answered)).toEqual(generatedNames);
    expect(result.number_of_agents).toBe(spec.agents.length);
    expect(answerCalls(recorder).some((c) => c.agent === 'Seed')).toBe(false);
  });

  it('runs a designed AgentRearrange flow with the designed prompts', async () => {
    const design = {
      name: 'Docs team',
      description: 'writes docs',
      swarm_type: 'AgentRearrange',
      rearrange_flow: 'Writer -> Editor',
      agents: [
        { agent_name: 'Editor', description: 'edits', system_prompt: 'You edit.' },
        { agent_name: 'Writer', description: 'writes', system_prompt: 'You write.' },
      ],
    };
    const { providers, recorder } = scriptedHarness((request) => (request.structured ? design : `${request.agentName} wrote`));
    const result = await runSwarm({ agents: agents(['Seed'], { model_name: 'scripted/m' }), task: 'Document the API', swarm_type: 'AutoSwarmBuilder' }, { providers });
    expect(result.output.map((m) => m.role)).toEqual(['Swarm Builder', 'Writer', 'Editor']);
    expect(answerCalls(recorder).map((c) => [c.agent, c.system])).toEqual([
      ['Writer', 'You write.'],
      ['Editor', 'You edit.'],
    ]);
    expect(result.generated_spec).toMatchObject({ swarm_type: 'AgentRearrange', rearrange_flow: 'Writer -> Editor' });
  });

  it('fails clearly when the design is invalid', async () => {
    const design = { name: 'n', description: 'd', swarm_type: 'AgentRearrange', rearrange_flow: 'A -> Nobody', agents: [{ agent_name: 'A', description: '', system_prompt: '' }, { agent_name: 'B', description: '', system_prompt: '' }] };
    const { providers } = scriptedHarness(() => design);
    const error = await runSwarm({ agents: agents(['Seed'], { model_name: 'scripted/m' }), task: 'x', swarm_type: 'AutoSwarmBuilder' }, { providers }).catch((e) => e);
    expect(error).toBeInstanceOf(SwarmRunError);
    expect(error.code).toBe('invalid_model_output');
    expect(error.message).toContain('"Nobody"');
  });
});
