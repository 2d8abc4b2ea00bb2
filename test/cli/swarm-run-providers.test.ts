import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_SWARM_SPEC } from '../../shared/swarm-spec.js';
import { tempDir } from '../helpers/coordinator.js';
import { runCli, writeExampleSpec } from '../helpers/run-cli.js';
import { startMockLlmServer } from '../llm/mock-llm-server.js';
import { anthropicMessage, openaiCompletion } from '../llm/wire-fixtures.js';

/**
 * The command runs from a bundle of the CLI and its dependencies (bin/cli-bundle.mjs): the model
 * SDKs inside it must still speak their wire protocols, end to end, from a real process.
 */
describe('swarmtask swarm run with the model SDKs, from the command', () => {
  it('runs the example swarm on the OpenAI and the Anthropic provider against servers speaking their APIs', async () => {
    const server = await startMockLlmServer();
    await using _closeServer = { [Symbol.asyncDispose]: () => server.close() };
    using dir = tempDir();
    const specFile = writeExampleSpec(dir.path);
    const [agent] = EXAMPLE_SWARM_SPEC.agents;

    server.enqueue('/v1/chat/completions', openaiCompletion('Revenue grew 12%; hold.'));
    const viaOpenAi = await runCli(['swarm', 'run', specFile, '--model-map', '*=openai/gpt-4o-mini', '--json'], {
      OPENAI_API_KEY: 'sk-test-openai',
      OPENAI_BASE_URL: `${server.url}/v1`,
    });
    expect(viaOpenAi.stderr).toBe('');
    expect(viaOpenAi.code).toBe(0);
    expect(JSON.parse(viaOpenAi.stdout)).toMatchObject({ output: [expect.objectContaining({ role: agent!.agent_name, content: 'Revenue grew 12%; hold.' })] });
    const openAiRequest = server.requests.at(-1)!;
    expect(openAiRequest).toMatchObject({ method: 'POST', path: '/v1/chat/completions', body: { model: 'gpt-4o-mini' } });
    expect(openAiRequest.headers.authorization).toBe('Bearer sk-test-openai');

    server.enqueue('/v1/messages', anthropicMessage([{ type: 'text', text: 'Margins are thin; sell.', citations: null }]));
    const viaAnthropic = await runCli(['swarm', 'run', specFile, '--model-map', '*=anthropic/claude-sonnet-4-6', '--json'], {
      ANTHROPIC_API_KEY: 'sk-ant-test',
      ANTHROPIC_BASE_URL: server.url,
      SWARMTASK_ANTHROPIC_AUTH: 'x-api-key',
    });
    expect(viaAnthropic.stderr).toBe('');
    expect(viaAnthropic.code).toBe(0);
    expect(JSON.parse(viaAnthropic.stdout)).toMatchObject({ output: [expect.objectContaining({ content: 'Margins are thin; sell.' })] });
    const anthropicRequest = server.requests.at(-1)!;
    expect(anthropicRequest).toMatchObject({ method: 'POST', path: '/v1/messages', body: { model: 'claude-sonnet-4-6' } });
    expect(anthropicRequest.headers['x-api-key']).toBe('sk-ant-test');
    expect(anthropicRequest.headers['anthropic-version']).toEqual(expect.any(String));
  });

  it('stops at the budget given on the command line, after the call that crossed it', async () => {
    const server = await startMockLlmServer();
    await using _closeServer = { [Symbol.asyncDispose]: () => server.close() };
    using dir = tempDir();
    const specFile = join(dir.path, 'two-agents.json');
    const [agent] = EXAMPLE_SWARM_SPEC.agents;
    writeFileSync(specFile, JSON.stringify({ ...EXAMPLE_SWARM_SPEC, swarm_type: 'SequentialWorkflow', agents: [agent, { ...agent, agent_name: 'Risk Analyst' }] }));
    const env = { OPENAI_API_KEY: 'sk-test-openai', OPENAI_BASE_URL: `${server.url}/v1` };
    // gpt-4o at $2.50 / $10 per million tokens: 20 + 5 tokens cost $0.0001.
    server.enqueue('/v1/chat/completions', openaiCompletion('Revenue grew 12%.', { prompt_tokens: 20, completion_tokens: 5 }));
    const before = server.requests.length;
    const overBudget = await runCli(['swarm', 'run', specFile, '--model-map', '*=openai/gpt-4o', '--max-cost', '0.00005', '--json'], env);
    expect(overBudget).toMatchObject({ code: 1, stdout: '' });
    expect(overBudget.stderr).toBe("swarmtask: over the run's budget: $0.0001 spent, the limit is $0.00005\n");
    expect(server.requests.length - before).toBe(1); // the second agent was never asked

    const badFlag = await runCli(['swarm', 'run', specFile, '--max-calls', '1.5'], env);
    expect(badFlag).toMatchObject({ code: 2, stderr: 'swarmtask: --max-calls must be a positive integer, got "1.5"\n' });
  });
});
