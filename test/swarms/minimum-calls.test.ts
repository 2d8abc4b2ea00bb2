import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AgentSpecInput, SwarmSpecInput, SwarmType } from '../../shared/swarm-spec.js';
import { minimumModelCalls, runSwarm, SwarmRunError, SwarmSpecError } from '../../server/swarms/index.js';
import { agents, offlineHarness, scriptedHarness } from './harness.js';

const NAMES = ['Ada', 'Bo', 'Cy', 'Di', 'Ed'];
const RUNS_PER_TYPE = 25;

/** Model calls a run of `spec` makes on the offline model (it never fails a call). */
async function callsMadeBy(spec: SwarmSpecInput): Promise<number> {
  const { providers, recorder } = offlineHarness();
  const result = await runSwarm(spec, { providers });
  expect(result.status).toBe('success');
  return recorder.calls.length;
}

// ---- spec generators -------------------------------------------------------------------------

const agentTraits = fc.record({ max_loops: fc.integer({ min: 1, max: 3 }), auto_generate_prompt: fc.boolean() });

/** 1–5 agents (at least `minAgents`) with random turns and prompt generation. */
function team(minAgents = 1): fc.Arbitrary<AgentSpecInput[]> {
  return fc.array(agentTraits, { minLength: minAgents, maxLength: NAMES.length }).map((traits) =>
    traits.map((trait, i) => ({ agent_name: NAMES[i]!, model_name: 'gpt-4o', description: `${NAMES[i]} handles its part`, ...trait })),
  );
}

/** A team where, given 2+ agents, one random agent may carry one of `roles` (a type's coordinator). */
function teamWithOptionalRole(roles: readonly string[]): fc.Arbitrary<AgentSpecInput[]> {
  return team().chain((members) =>
    members.length < 2
      ? fc.constant(members)
      : fc
          .option(fc.tuple(fc.nat({ max: members.length - 1 }), fc.constantFrom(...roles)), { nil: undefined })
          .map((pick) => members.map((member, i) => (pick && pick[0] === i ? { ...member, role: pick[1] } : member))),
  );
}

/** Any AgentRearrange flow over `names`: 1–4 steps of 1–3 names, names may repeat. */
function flowOver(names: readonly string[]): fc.Arbitrary<string> {
  const step = fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 3 }).map((group) => group.join(', '));
  return fc.array(step, { minLength: 1, maxLength: 4 }).map((steps) => steps.join(' -> '));
}

function specOf(type: SwarmType, members: fc.Arbitrary<AgentSpecInput[]>, extra: (names: string[]) => fc.Arbitrary<Partial<SwarmSpecInput>> = () => fc.constant({})) {
  return members.chain((list) =>
    fc.record({ max_loops: fc.integer({ min: 1, max: 3 }), extra: extra(list.map((a) => a.agent_name)) }).map(
      ({ max_loops, extra: fields }): SwarmSpecInput => ({ agents: list, task: 'Plan a product launch', swarm_type: type, max_loops, ...fields }),
    ),
  );
}

/** auto: any roles, sometimes a flow, tasks that hit each wording rule (and none). */
const autoSpec = fc
  .array(fc.tuple(agentTraits, fc.constantFrom('worker', 'worker', 'worker', 'director', 'boss', 'router', 'aggregator', 'consensus', 'judge')), {
    minLength: 1,
    maxLength: NAMES.length,
  })
  .chain((traits) => {
    const list: AgentSpecInput[] = traits.map(([trait, role], i) => ({ agent_name: NAMES[i]!, model_name: 'gpt-4o', role, ...trait }));
    const tasks = ['Plan a launch', 'Vote on a name', 'Debate the plan', 'Route this ticket', 'Fill a spreadsheet', 'Synthesize views', 'Delegate the work', 'Go step by step', 'Work in parallel'];
    return fc.record({
      max_loops: fc.integer({ min: 1, max: 3 }),
      task: fc.constantFrom(...tasks),
      rearrange_flow: fc.option(flowOver(list.map((a) => a.agent_name)), { nil: undefined, freq: 4 }),
    }).map((fields): SwarmSpecInput => ({ agents: list, swarm_type: 'auto', ...fields }));
  });

/** Types whose calls follow from the spec alone: the bound must be the count. */
const EXACT: [SwarmType, fc.Arbitrary<SwarmSpecInput>][] = [
  ['SequentialWorkflow', specOf('SequentialWorkflow', team())],
  ['ConcurrentWorkflow', specOf('ConcurrentWorkflow', team())],
  ['SpreadSheetSwarm', specOf('SpreadSheetSwarm', team())],
  ['GroupChat', specOf('GroupChat', team(2))],
  ['AgentRearrange', specOf('AgentRearrange', team(), (names) => flowOver(names).map((rearrange_flow) => ({ rearrange_flow })))],
  ['MixtureOfAgents', specOf('MixtureOfAgents', teamWithOptionalRole(['aggregator']))],
  ['MajorityVoting', specOf('MajorityVoting', teamWithOptionalRole(['consensus', 'judge']))],
];

/** Types where model answers decide part of the run: the bound must not exceed the count. */
const BOUNDED: [SwarmType, fc.Arbitrary<SwarmSpecInput>][] = [
  ['MultiAgentRouter', specOf('MultiAgentRouter', teamWithOptionalRole(['router', 'boss']))],
  ['HiearchicalSwarm', specOf('HiearchicalSwarm', teamWithOptionalRole(['director', 'boss']))],
  ['AutoSwarmBuilder', specOf('AutoSwarmBuilder', team())],
  ['auto', autoSpec],
];

// ---- properties ------------------------------------------------------------------------------

describe('minimumModelCalls, against real runs on the offline model', () => {
  it.each(EXACT)('%s: the bound is the exact number of calls', async (_type, specs) => {
    await fc.assert(
      fc.asyncProperty(specs, async (spec) => {
        expect(await callsMadeBy(spec)).toBe(minimumModelCalls(spec));
      }),
      { numRuns: RUNS_PER_TYPE },
    );
  });

  it.each(BOUNDED)('%s: no run makes fewer calls than the bound', async (_type, specs) => {
    await fc.assert(
      fc.asyncProperty(specs, async (spec) => {
        expect(await callsMadeBy(spec)).toBeGreaterThanOrEqual(minimumModelCalls(spec));
      }),
      { numRuns: RUNS_PER_TYPE },
    );
  });
});

// ---- model-chosen hand-offs --------------------------------------------------------------

/** The spec's agents, on the scripted model; and the workers a coordinator with `roles` picks from. */
function scripted(spec: SwarmSpecInput, roles: readonly string[]) {
  const team = spec.agents.map((agent) => ({ ...agent, model_name: 'scripted/m' }));
  const coordinator = team.find((agent) => roles.includes(agent.role ?? 'worker'));
  return { spec: { ...spec, agents: team }, workers: team.filter((agent) => agent !== coordinator).map((agent) => agent.agent_name) };
}

/** A structured answer per round from `picks` (worker indexes); plain text otherwise. */
function pickingModel(workers: readonly string[], picks: readonly number[][], answer: (names: string[]) => object) {
  let round = 0;
  return scriptedHarness((request) => {
    if (!request.structured) return 'done';
    const pick = picks[round++ % picks.length]!;
    return answer(pick.map((i) => workers[i % workers.length]!));
  });
}

const DELEGATING: [SwarmType, readonly string[], (names: string[]) => object][] = [
  ['MultiAgentRouter', ['router', 'boss'], (names) => ({ handoffs: names.map((agent_name) => ({ agent_name, reasoning: 'r' })) })],
  ['HiearchicalSwarm', ['director', 'boss'], (names) => ({ plan: 'p', orders: names.map((agent_name) => ({ agent_name, task: 't' })) })],
];

describe('minimumModelCalls, when a model chooses who works', () => {
  const picks = fc.array(fc.array(fc.nat({ max: NAMES.length - 1 }), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 });

  it.each(DELEGATING)('%s: whatever workers the model picks, no run makes fewer calls', async (type, roles, answer) => {
    const specs = BOUNDED.find(([t]) => t === type)![1];
    await fc.assert(
      fc.asyncProperty(specs, picks, async (input, choice) => {
        const { spec, workers } = scripted(input, roles);
        const { providers, recorder } = pickingModel(workers, choice, answer);
        await runSwarm(spec, { providers });
        expect(recorder.calls.length).toBeGreaterThanOrEqual(minimumModelCalls(spec));
      }),
      { numRuns: RUNS_PER_TYPE },
    );
  });

  it.each(DELEGATING)('%s: the bound is reached, by giving every round to the cheapest single worker', async (type, roles, answer) => {
    const specs = BOUNDED.find(([t]) => t === type)![1];
    await fc.assert(
      fc.asyncProperty(specs, async (input) => {
        const { spec, workers } = scripted(input, roles);
        const runs = await Promise.all(
          workers.map(async (_name, i) => {
            const { providers, recorder } = pickingModel(workers, [[i]], answer);
            await runSwarm(spec, { providers });
            return recorder.calls.length;
          }),
        );
        expect(Math.min(...runs)).toBe(minimumModelCalls(spec));
      }),
      { numRuns: RUNS_PER_TYPE },
    );
  });
});

// ---- examples --------------------------------------------------------------------------------

describe('minimumModelCalls, by example', () => {
  it('SequentialWorkflow: 3 agents of 2 turns each make 6 calls', () => {
    expect(minimumModelCalls({ agents: agents(['A', 'B', 'C'], { max_loops: 2 }), task: 't', swarm_type: 'SequentialWorkflow' })).toBe(6);
  });

  it('counts the swarm loops times the agent turns', () => {
    expect(minimumModelCalls({ agents: agents(['A', 'B'], { max_loops: 3 }), task: 't', swarm_type: 'ConcurrentWorkflow', max_loops: 2 })).toBe(12);
  });

  it('adds one prompt-writing call per auto_generate_prompt agent, however often it is asked', () => {
    expect(minimumModelCalls({ agents: agents(['Solo'], { max_loops: 3, auto_generate_prompt: true }), task: 't' })).toBe(3 + 1);
    expect(minimumModelCalls({ agents: agents(['Solo'], { max_loops: 3, auto_generate_prompt: true }), task: 't', max_loops: 2 })).toBe(6 + 1);
  });

  it('AgentRearrange counts every name of the flow, repeats included', () => {
    const spec = { agents: agents(['A', 'B', 'C']), task: 't', swarm_type: 'AgentRearrange' as const, rearrange_flow: 'A -> B, C -> A' };
    expect(minimumModelCalls(spec)).toBe(4);
  });

  it('MixtureOfAgents without an aggregator role: the last agent works every layer and aggregates', () => {
    expect(minimumModelCalls({ agents: agents(['A', 'B']), task: 't', swarm_type: 'MixtureOfAgents', max_loops: 2 })).toBe(2 * 2 + 1);
  });

  it('MultiAgentRouter: routing every round to the cheapest worker makes exactly the bound', async () => {
    const team = [
      { agent_name: 'Tax', model_name: 'scripted/m', max_loops: 3 },
      { agent_name: 'Legal', model_name: 'scripted/m', max_loops: 1, auto_generate_prompt: true },
      { agent_name: 'Audit', model_name: 'scripted/m', max_loops: 2 },
    ];
    const spec: SwarmSpecInput = { agents: team, task: 'Review', swarm_type: 'MultiAgentRouter', max_loops: 2 };
    // Per round the routing call and Legal's turn, plus Legal's prompt once: 2 × (1 + 1) + 1.
    expect(minimumModelCalls(spec)).toBe(5);
    const { providers, recorder } = scriptedHarness((request) => (request.structured ? { handoffs: [{ agent_name: 'Legal', reasoning: 'cheapest' }] } : 'done'));
    await runSwarm(spec, { providers });
    expect(recorder.calls).toHaveLength(5);
  });

  it('HiearchicalSwarm: ordering only the cheapest worker makes exactly the bound', async () => {
    const team = [
      { agent_name: 'Chief', model_name: 'scripted/m', role: 'director', max_loops: 2, auto_generate_prompt: true },
      { agent_name: 'A', model_name: 'scripted/m', max_loops: 1 },
      { agent_name: 'B', model_name: 'scripted/m', max_loops: 2 },
    ];
    const spec: SwarmSpecInput = { agents: team, task: 'Ship it', swarm_type: 'HiearchicalSwarm', max_loops: 2 };
    // Per round: the plan (1), A's turn (1), the review (2); plus Chief's prompt once.
    expect(minimumModelCalls(spec)).toBe(2 * (1 + 1 + 2) + 1);
    const { providers, recorder } = scriptedHarness((request) => (request.structured ? { plan: 'p', orders: [{ agent_name: 'A', task: 'do it' }] } : 'done'));
    await runSwarm(spec, { providers });
    expect(recorder.calls).toHaveLength(9);
  });

  it('AutoSwarmBuilder: the builder call plus one call per loop, reached by a one-agent flow', async () => {
    const spec: SwarmSpecInput = { agents: agents(['Seed'], { model_name: 'scripted/m' }), task: 'Write docs', swarm_type: 'AutoSwarmBuilder', max_loops: 3 };
    expect(minimumModelCalls(spec)).toBe(1 + 3);
    const design = {
      name: 'Docs',
      description: 'd',
      swarm_type: 'AgentRearrange',
      rearrange_flow: 'Writer',
      agents: [
        { agent_name: 'Writer', description: 'writes', system_prompt: 'You write.' },
        { agent_name: 'Editor', description: 'edits', system_prompt: 'You edit.' },
      ],
    };
    const { providers, recorder } = scriptedHarness((request) => (request.structured ? design : 'done'));
    await runSwarm(spec, { providers });
    expect(recorder.calls).toHaveLength(4);
  });

  it('auto: a structural choice (a flow) gives that type its own bound', () => {
    const spec = { agents: agents(['A', 'B']), task: 'Plan', rearrange_flow: 'A -> B -> A' };
    expect(minimumModelCalls({ ...spec, swarm_type: 'auto' })).toBe(minimumModelCalls({ ...spec, swarm_type: 'AgentRearrange' }));
  });

  it('defaults to SequentialWorkflow when the spec names no type', () => {
    expect(minimumModelCalls({ agents: agents(['A', 'B']), task: 't', max_loops: 2 })).toBe(4);
  });

  it('rejects a spec runSwarm would reject, as runSwarm does', () => {
    expect(() => minimumModelCalls({ agents: agents(['Solo']), task: 't', swarm_type: 'GroupChat' })).toThrow(SwarmSpecError);
    expect(() => minimumModelCalls({ agents: agents(['A']), task: 't', swarm_type: 'AgentRearrange' })).toThrow(SwarmSpecError);
  });

  it('a call budget below the bound can never be met: the run stops over budget', async () => {
    const spec: SwarmSpecInput = { agents: agents(['A', 'B'], { max_loops: 2 }), task: 't', swarm_type: 'SequentialWorkflow' };
    const { providers } = offlineHarness();
    const error = await runSwarm(spec, { providers, budget: { maxCalls: minimumModelCalls(spec) - 1 } }).catch((e) => e);
    expect(error).toBeInstanceOf(SwarmRunError);
    expect(error.code).toBe('budget');
    await expect(runSwarm(spec, { providers: offlineHarness().providers, budget: { maxCalls: minimumModelCalls(spec) } })).resolves.toMatchObject({ status: 'success' });
  });
});
