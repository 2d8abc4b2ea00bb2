import { describe, expect, it } from 'vitest';
import { runSwarm, SwarmSpecError } from '../../server/swarms/index.js';
import { agents, answerCalls, offlineHarness } from './harness.js';

describe('agents', () => {
  it('run with their system prompt, the swarm rules under a "Swarm Rules" heading, temperature and max_tokens', async () => {
    const { providers, recorder } = offlineHarness();
    await runSwarm(
      {
        agents: [{ agent_name: 'Analyst', model_name: 'gpt-4o', system_prompt: 'You analyse.', temperature: 0.1, max_tokens: 300 }],
        task: 'Go',
        rules: 'Cite sources.',
        swarm_type: 'SequentialWorkflow',
      },
      { providers },
    );
    expect(recorder.calls[0]).toMatchObject({ system: 'You analyse.\n\n## Swarm Rules\nCite sources.', temperature: 0.1, maxTokens: 300 });
  });

  it('apply the rules to built-in coordinators too', async () => {
    const { providers, recorder } = offlineHarness();
    await runSwarm({ agents: agents(['A']), task: 'Go', rules: 'Be brief.', swarm_type: 'MultiAgentRouter' }, { providers });
    expect(recorder.calls[0]!.agent).toBe('Agent Router');
    expect(recorder.calls[0]!.system).toMatch(/## Swarm Rules\nBe brief\.$/);
  });

  it('continue on their own transcript for max_loops turns and keep every turn', async () => {
    const { providers, recorder } = offlineHarness();
    const result = await runSwarm({ agents: agents(['Solo'], { max_loops: 3 }), task: 'Draft a slogan', swarm_type: 'SequentialWorkflow' }, { providers });
    expect(recorder.calls).toHaveLength(3);
    const third = recorder.calls[2]!;
    expect(third.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
    expect(third.messages[1]!.content).toContain('reply 1');
    expect(third.messages[3]!.content).toContain('reply 2');
    const content = result.output[0]!.content;
    expect(content.split('\n\n').map((turn) => turn.match(/reply (\d)/)?.[1])).toEqual(['1', '2', '3']);
  });

  it('auto_generate_prompt: one model call writes the system prompt, reused for every later call of the run', async () => {
    const { providers, recorder } = offlineHarness();
    await runSwarm(
      {
        agents: [{ agent_name: 'Poet', model_name: 'gpt-4o', description: 'Writes verse', system_prompt: 'Rhyme.', auto_generate_prompt: true }, ...agents(['Critic'])],
        task: 'A haiku',
        rules: 'No rhymes about cats.',
        swarm_type: 'SequentialWorkflow',
        max_loops: 2,
      },
      { providers },
    );
    const poetCalls = recorder.calls.filter((c) => c.agent === 'Poet');
    expect(poetCalls).toHaveLength(3);
    const [writer, ...answers] = poetCalls;
    expect(writer!.input).toBe('Agent name: Poet\nDescription: Writes verse\nGiven prompt: Rhyme.\nWrite the system prompt this agent should run with.');
    const generated = (await providers.resolve('gpt-4o').provider.chat({ model: 'gpt-4o', agentName: 'Poet', system: writer!.system, messages: writer!.messages })).text;
    for (const call of answers) expect(call.system).toBe(`${generated}\n\n## Swarm Rules\nNo rhymes about cats.`);
  });

  it('img: is passed as image input on every call', async () => {
    const { providers, recorder } = offlineHarness();
    const img = 'data:image/png;base64,iVBORw0KGgo=';
    const result = await runSwarm({ agents: agents(['A', 'B']), task: 'Describe', img, swarm_type: 'ConcurrentWorkflow' }, { providers });
    for (const call of answerCalls(recorder)) expect(call.messages[0]!.images).toEqual([img]);
    expect(result.output[0]!.content).toMatch(/images: base64 [0-9a-f]{8}/);
  });

  it('img: a provider without image input is a clear 400 before any call; so is a malformed img', async () => {
    const { providers, recorder } = offlineHarness({ supportsImages: false });
    const refused = await runSwarm({ agents: agents(['A']), task: 'Describe', img: 'https://example.com/a.png' }, { providers }).catch((e) => e);
    expect(refused).toBeInstanceOf(SwarmSpecError);
    expect(refused).toMatchObject({ field: 'img', status: 400 });
    expect(refused.message).toContain('does not take image input');
    const malformed = await runSwarm({ agents: agents(['A']), task: 'Describe', img: 'not an image' }, { providers }).catch((e) => e);
    expect(malformed).toMatchObject({ field: 'img' });
    expect(recorder.calls).toHaveLength(0);
  });
});
