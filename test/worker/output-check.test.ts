import { describe, expect, it } from 'vitest';
import { checkSwarmOutput, flowAgents } from '../../client/worker/audit-checks.js';
import { createProviderRegistry, runSwarm } from '../../server/swarms/index.js';
import { SWARM_TYPES, type SwarmSpec } from '../../shared/swarm-spec.js';
import { specFor } from './swarm-specs.js';

const providers = createProviderRegistry({ env: {}, modelMap: '*=offline' });

/** A real offline run, as JSON (what an auditor reads back from IPFS). */
async function outputOf(spec: SwarmSpec): Promise<Record<string, unknown>> {
  return JSON.parse(JSON.stringify(await runSwarm(spec, { providers }))) as Record<string, unknown>;
}

const messages = (output: Record<string, unknown>) => output.output as { role: string; content: string }[];

describe('checkSwarmOutput (the auditor\'s well-formedness check)', () => {
  it.each(SWARM_TYPES)('accepts a real %s run', async (type) => {
    const spec = specFor(type);
    const check = checkSwarmOutput(spec, await outputOf(spec));
    expect(check, check.ok ? '' : check.reason).toMatchObject({ ok: true });
  });

  it('rejects an output in which an agent that must speak never spoke', async () => {
    const spec = specFor('SequentialWorkflow');
    const output = await outputOf(spec);
    output.output = messages(output).filter((m) => m.role !== 'Critic');
    expect(checkSwarmOutput(spec, output)).toEqual({ ok: false, reason: 'SequentialWorkflow: "Critic" never spoke' });
  });

  it('does not count an empty message as speaking', async () => {
    const spec = specFor('ConcurrentWorkflow');
    const output = await outputOf(spec);
    output.output = messages(output).map((m) => (m.role === 'Risk Analyst' ? { ...m, content: '  ' } : m));
    expect(checkSwarmOutput(spec, output)).toMatchObject({ ok: false, reason: expect.stringContaining('"Risk Analyst" never spoke') });
  });

  it('rejects a missing or empty final answer', async () => {
    const spec = specFor('GroupChat');
    const output = await outputOf(spec);
    expect(checkSwarmOutput(spec, { ...output, final: '' })).toEqual({ ok: false, reason: 'output has no final answer' });
    const { final: _final, ...withoutFinal } = output;
    expect(checkSwarmOutput(spec, withoutFinal)).toEqual({ ok: false, reason: 'output has no final answer' });
  });

  it('rejects an output for another task or another swarm type', async () => {
    const spec = specFor('MixtureOfAgents');
    const output = await outputOf(spec);
    expect(checkSwarmOutput({ ...spec, task: 'something else' }, output)).toEqual({ ok: false, reason: 'output is for a different task than the todo' });
    expect(checkSwarmOutput({ ...spec, swarm_type: 'SequentialWorkflow' }, output)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('MixtureOfAgents swarm, the todo asks for SequentialWorkflow'),
    });
  });

  it('rejects what is not a swarm result at all', () => {
    const spec = specFor('SequentialWorkflow');
    expect(checkSwarmOutput(spec, null)).toMatchObject({ ok: false });
    expect(checkSwarmOutput(spec, [1, 2])).toMatchObject({ ok: false });
    expect(checkSwarmOutput(spec, { output: 'text', final: 'x', task: spec.task })).toMatchObject({ ok: false, reason: expect.stringContaining('{role, content}') });
  });

  it('AgentRearrange: only the agents of the flow must speak', async () => {
    const spec = { ...specFor('AgentRearrange'), rearrange_flow: 'Analyst -> Editor' };
    const output = await outputOf(spec);
    expect(messages(output).map((m) => m.role)).not.toContain('Critic');
    expect(checkSwarmOutput(spec, output)).toMatchObject({ ok: true });
    output.output = messages(output).filter((m) => m.role !== 'Editor');
    expect(checkSwarmOutput(spec, output)).toMatchObject({ ok: false, reason: 'AgentRearrange: "Editor" never spoke' });
    expect(flowAgents(' A -> B , C->D ')).toEqual(['A', 'B', 'C', 'D']);
  });

  it('MultiAgentRouter: the routed agents must speak, and routing must name real agents', async () => {
    const spec = specFor('MultiAgentRouter');
    const output = await outputOf(spec);
    const routing = output.routing as { handoffs: { agent_name: string }[] }[];
    const routed = routing[0]!.handoffs[0]!.agent_name;
    expect(checkSwarmOutput(spec, { ...output, output: messages(output).filter((m) => m.role !== routed) })).toMatchObject({
      ok: false,
      reason: expect.stringContaining(`"${routed}" never spoke`),
    });
    const forged = [{ ...routing[0]!, handoffs: [{ agent_name: 'Ghost', reasoning: 'x' }] }];
    expect(checkSwarmOutput(spec, { ...output, routing: forged })).toMatchObject({ ok: false, reason: expect.stringContaining('"Ghost"') });
    expect(checkSwarmOutput(spec, { ...output, routing: [] })).toMatchObject({ ok: false, reason: expect.stringContaining('no routing') });
  });

  it('HiearchicalSwarm: the ordered agents must speak', async () => {
    const spec = specFor('HiearchicalSwarm');
    const output = await outputOf(spec);
    expect(checkSwarmOutput(spec, { ...output, output: messages(output).filter((m) => m.role !== 'Critic') })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('"Critic" never spoke'),
    });
    expect(checkSwarmOutput(spec, { ...output, hierarchy: undefined })).toMatchObject({ ok: false });
  });

  it('AutoSwarmBuilder and auto: judged by the team and type that actually ran', async () => {
    const builder = specFor('AutoSwarmBuilder');
    const built = await outputOf(builder);
    const generated = built.generated_spec as { agents: { agent_name: string }[] };
    const routed = (built.routing as { handoffs: { agent_name: string }[] }[] | undefined)?.[0]?.handoffs[0]?.agent_name;
    // Whoever had to speak in the generated team (a routed agent when the builder chose a router).
    const someone = routed ?? generated.agents[0]!.agent_name;
    expect(checkSwarmOutput(builder, built)).toMatchObject({ ok: true, note: expect.stringContaining('AutoSwarmBuilder →') });
    const silenced = { ...built, output: messages(built).filter((m) => m.role !== someone) };
    expect(checkSwarmOutput(builder, silenced)).toMatchObject({ ok: false, reason: expect.stringContaining(`"${someone}" never spoke`) });
    expect(checkSwarmOutput(builder, { ...built, generated_spec: undefined })).toMatchObject({ ok: false, reason: expect.stringContaining('generated_spec') });

    const auto = specFor('auto');
    const ran = await outputOf(auto);
    expect(checkSwarmOutput(auto, ran)).toMatchObject({ ok: true, note: expect.stringContaining('auto →') });
    expect(checkSwarmOutput(auto, { ...ran, auto: undefined })).toMatchObject({ ok: false, reason: expect.stringContaining('auto.chosen_type') });
  });
});
