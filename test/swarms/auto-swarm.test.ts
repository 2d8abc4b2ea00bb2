import { describe, expect, it } from 'vitest';
import { chooseSwarmTypeByRules, runSwarm } from '../../server/swarms/index.js';
import { agents, failure, offlineHarness, scriptedHarness } from './harness.js';

const normalized = (names: string[], roles: Record<string, string> = {}) =>
  agents(names).map((a) => ({ ...a, role: roles[a.agent_name] ?? 'worker', max_loops: 1, max_tokens: 100, temperature: 0.5 }));

describe('auto rule set', () => {
  it.each([
    [{ agents: normalized(['A', 'B']), task: 'anything', rearrange_flow: 'A -> B' }, 'AgentRearrange', true],
    [{ agents: normalized(['A']), task: 'vote on it' }, 'SequentialWorkflow', true],
    [{ agents: normalized(['A', 'B'], { B: 'Director' }), task: 'vote' }, 'HiearchicalSwarm', true],
    [{ agents: normalized(['A', 'B'], { A: 'router' }), task: 'x' }, 'MultiAgentRouter', true],
    [{ agents: normalized(['A', 'B'], { A: 'aggregator' }), task: 'x' }, 'MixtureOfAgents', true],
    [{ agents: normalized(['A', 'B'], { B: 'judge' }), task: 'x' }, 'MajorityVoting', true],
    [{ agents: normalized(['A', 'B']), task: 'Reach a consensus on pricing' }, 'MajorityVoting', false],
    [{ agents: normalized(['A', 'B']), task: 'Debate remote work' }, 'GroupChat', false],
    [{ agents: normalized(['A', 'B']), task: 'Triage these tickets' }, 'MultiAgentRouter', false],
    [{ agents: normalized(['A', 'B']), task: 'Produce a CSV of scores' }, 'SpreadSheetSwarm', false],
    [{ agents: normalized(['A', 'B']), task: 'Synthesize the reviews' }, 'MixtureOfAgents', false],
    [{ agents: normalized(['A', 'B']), task: 'Coordinate the launch' }, 'HiearchicalSwarm', false],
    [{ agents: normalized(['A', 'B']), task: 'Draft, then edit' }, 'SequentialWorkflow', false],
    [{ agents: normalized(['A', 'B']), task: 'Evaluate independently' }, 'ConcurrentWorkflow', false],
    [{ agents: normalized(['A', 'B']), task: 'Analyze market trends' }, 'SequentialWorkflow', false],
  ])('%# → %s', (spec, type, structural) => {
    expect(chooseSwarmTypeByRules(spec)).toMatchObject({ type, structural });
  });
});

describe('auto', () => {
  it('runs the rule choice on offline, and records the type and why', async () => {
    const { providers, recorder } = offlineHarness();
    const result = await runSwarm({ agents: agents(['Ann', 'Ben']), task: 'Debate the roadmap', swarm_type: 'auto' }, { providers });
    expect(result.swarm_type).toBe('auto');
    expect(result.auto).toEqual({ chosen_type: 'GroupChat', reason: expect.stringContaining('"Debate"'), decided_by: 'rules', rule_choice: 'GroupChat' });
    expect(result.output.map((m) => m.role)).toEqual(['Ann', 'Ben']);
    expect(recorder.calls.every((c) => c.structured === undefined)).toBe(true);
  });

  it('lets a real model refine a wording-based choice', async () => {
    const { providers, recorder } = scriptedHarness((request) =>
      request.structured ? { swarm_type: 'ConcurrentWorkflow', reason: 'independent analyses' } : `${request.agentName} ok`,
    );
    const result = await runSwarm({ agents: agents(['A', 'B'], { model_name: 'scripted/m' }), task: 'Analyze trends', swarm_type: 'auto' }, { providers });
    expect(recorder.calls[0]).toMatchObject({ agent: 'Swarm Classifier', structured: 'swarm_type_choice' });
    expect(result.auto).toEqual({ chosen_type: 'ConcurrentWorkflow', reason: 'independent analyses', decided_by: 'model', rule_choice: 'SequentialWorkflow' });
    expect(recorder.calls.slice(1).map((c) => c.input)).toEqual(['Analyze trends', 'Analyze trends']);
  });

  it('keeps the rule choice when the classification call fails', async () => {
    const { providers } = scriptedHarness((request) => (request.structured ? failure('classifier down') : 'ok'));
    const result = await runSwarm({ agents: agents(['A', 'B'], { model_name: 'scripted/m' }), task: 'Analyze trends', swarm_type: 'auto' }, { providers });
    expect(result.auto).toMatchObject({ chosen_type: 'SequentialWorkflow', decided_by: 'rules' });
    expect(result.auto!.reason).toContain('classifier down');
  });

  it('never asks a model to override a structural choice', async () => {
    const { providers, recorder } = scriptedHarness(() => 'ok');
    const result = await runSwarm({ agents: agents(['A', 'B'], { model_name: 'scripted/m' }), task: 'x', rearrange_flow: 'B -> A', swarm_type: 'auto' }, { providers });
    expect(result.auto).toMatchObject({ chosen_type: 'AgentRearrange', decided_by: 'rules' });
    expect(recorder.calls.map((c) => c.agent)).toEqual(['B', 'A']);
  });
});
