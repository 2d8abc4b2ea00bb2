import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import { describe, expect, it, vi } from 'vitest';
import type { AppRouter } from '../../server/routers/_app.js';
import { EXAMPLE_SWARM_SPEC } from '../../shared/swarm-spec.js';
import { createApiKey } from '../../server/auth/api-keys.js';
import { startTestCoordinator } from '../helpers/coordinator.js';

// Response bodies are checked field by field; `any` keeps the assertions readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (response: Response | Promise<Response>): Promise<any> => (await response).json();

const post = (url: string, key: string | null, body: unknown, raw = false) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
    body: raw ? (body as string) : JSON.stringify(body),
  });

describe('Swarms-API-compatible REST', () => {
  it('runs the original example work item on the mapped offline model, logs it, and caches per key', async () => {
    await using t = await startTestCoordinator({ modelMap: '*=offline' });
    const first = await post(`${t.url}/v1/swarm/completions`, t.apiKey, EXAMPLE_SWARM_SPEC);
    expect(first.status).toBe(200);
    const result = await json(first);
    expect(result).toMatchObject({
      status: 'success',
      swarm_name: 'Financial Analysis Swarm',
      swarm_type: 'ConcurrentWorkflow',
      number_of_agents: 1,
      providers: ['offline'],
    });
    expect(result.output).toEqual([expect.objectContaining({ role: 'Market Analyst' })]);
    expect(result.output[0].content).toContain('Analyze market trends for AI and tech sectors');
    expect(result.usage.input_tokens).toBeGreaterThan(0);
    expect(result.cached).toBeUndefined();

    const again = await json(post(`${t.url}/v1/swarm/completions`, t.apiKey, EXAMPLE_SWARM_SPEC));
    expect(again).toMatchObject({ cached: true, job_id: result.job_id, final: result.final });

    const { key: otherKey } = createApiKey(t.coordinator.core, 'other');
    const other = await json(post(`${t.url}/v1/swarm/completions`, otherKey, EXAMPLE_SWARM_SPEC));
    expect(other.cached).toBeUndefined();
    expect(other.job_id).not.toBe(result.job_id);

    const logs = await json(fetch(`${t.url}/v1/swarm/logs`, { headers: { 'x-api-key': t.apiKey } }));
    expect(logs.count).toBe(2);
    expect(logs.logs.map((l: { cached: boolean }) => l.cached).sort()).toEqual([false, true]);
    expect(logs.logs.every((l: { status: string; input_tokens: number }) => l.status === 'success' && l.input_tokens > 0)).toBe(true);
  });

  it('answers bad requests with {"detail"} and the right status, naming the field', async () => {
    await using t = await startTestCoordinator({ modelMap: '*=offline' });
    const url = `${t.url}/v1/swarm/completions`;
    const cases: [string, Promise<Response>, number, RegExp][] = [
      ['no key', post(url, null, EXAMPLE_SWARM_SPEC), 401, /API key/],
      ['bad key', post(url, 'sk_nope', EXAMPLE_SWARM_SPEC), 403, /Invalid API Key/],
      ['not JSON', post(url, t.apiKey, '{"name":', true), 422, /not valid JSON/],
      ['missing model', post(url, t.apiKey, { ...EXAMPLE_SWARM_SPEC, agents: [{ agent_name: 'A' }] }), 422, /agents\.0\.model_name/],
      ['bad type', post(url, t.apiKey, { ...EXAMPLE_SWARM_SPEC, swarm_type: 'Nope' }), 422, /swarm_type/],
      [
        'bad flow token',
        post(url, t.apiKey, { ...EXAMPLE_SWARM_SPEC, swarm_type: 'AgentRearrange', rearrange_flow: 'Market Analyst -> Ghost' }),
        400,
        /Ghost/,
      ],
      ['schedule missing', post(`${t.url}/v1/swarm/schedule`, t.apiKey, EXAMPLE_SWARM_SPEC), 400, /Schedule information is required/],
      ['batch too big', post(`${t.url}/v1/swarm/batch/completions`, t.apiKey, Array(11).fill(EXAMPLE_SWARM_SPEC)), 400, /at most 10/],
      ['unknown schedule', fetch(`${t.url}/v1/swarm/schedule/nope`, { method: 'DELETE', headers: { 'x-api-key': t.apiKey } }), 404, /Scheduled job not found/],
    ];
    for (const [name, request, status, detail] of cases) {
      const response = await request;
      const body = await json(response);
      expect({ name, status: response.status }).toEqual({ name, status });
      expect(body.detail, name).toMatch(detail);
    }
    const unmapped = await startTestCoordinator({ modelMap: '' });
    await using _ = unmapped;
    const noKey = await post(`${unmapped.url}/v1/swarm/completions`, unmapped.apiKey, EXAMPLE_SWARM_SPEC);
    expect(noKey.status).toBe(400);
    expect((await json(noKey)).detail).toMatch(/OPENAI_API_KEY/);
  });

  it("stops a run that crosses the operator's budget per run, on both faces, and logs it failed", async () => {
    await using t = await startTestCoordinator({ modelMap: '*=offline', swarmMaxCalls: 2 });
    const threeAgents = {
      ...EXAMPLE_SWARM_SPEC,
      swarm_type: 'SequentialWorkflow',
      agents: ['Ann', 'Ben', 'Cy'].map((agent_name) => ({ agent_name, model_name: 'gpt-4o' })),
    };
    const detail = "Failed to run swarm: over the run's budget: 2 model calls made, the limit is 2 (this server's limit per run)";
    const rest = await post(`${t.url}/v1/swarm/completions`, t.apiKey, threeAgents);
    expect(rest.status).toBe(400);
    expect(await json(rest)).toEqual({ detail });
    const trpc = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${t.url}/trpc`, headers: { 'x-api-key': t.apiKey } })] });
    const error = await trpc.swarms.run.mutate(threeAgents).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect(error).toMatchObject({ message: detail, data: { code: 'BAD_REQUEST', httpStatus: 400 } });
    const logs = await json(fetch(`${t.url}/v1/swarm/logs`, { headers: { 'x-api-key': t.apiKey } }));
    expect(logs.logs.map((l: { status: string }) => l.status)).toEqual(['failed', 'failed']);
    // Within the budget (the example work item has one agent), runs are as before.
    expect((await json(post(`${t.url}/v1/swarm/completions`, t.apiKey, EXAMPLE_SWARM_SPEC))).status).toBe('success');
  });

  it('runs batches concurrently, single agents, and lists types and models', async () => {
    await using t = await startTestCoordinator({ modelMap: '*=offline' });
    const batch = await json(post(`${t.url}/v1/swarm/batch/completions`, t.apiKey, [EXAMPLE_SWARM_SPEC, { ...EXAMPLE_SWARM_SPEC, name: 'Second', swarm_type: 'Bogus' }]));
    expect(batch.map((b: { status: string }) => b.status)).toEqual(['success', 'error']);
    expect(batch[1].detail).toMatch(/swarm_type/);
    const agent = await json(post(`${t.url}/v1/agent/completions`, t.apiKey, { agent_config: EXAMPLE_SWARM_SPEC.agents[0], task: 'Summarize Q3' }));
    expect(agent).toMatchObject({ success: true, name: 'Market Analyst', temperature: 0.5 });
    expect(agent.outputs).toContain('Summarize Q3');
    const types = await json(fetch(`${t.url}/v1/swarms/available`, { headers: { 'x-api-key': t.apiKey } }));
    expect(types.swarm_types).toContain('HiearchicalSwarm');
    const models = await json(fetch(`${t.url}/v1/models/available`, { headers: { 'x-api-key': t.apiKey } }));
    expect(models.success).toBe(true);
  });

  it('keeps a schedule in SQLite so it fires after a restart', async () => {
    const first = await startTestCoordinator({ modelMap: '*=offline' });
    const future = new Date(Date.now() + 1500).toISOString();
    const scheduled = await json(post(`${first.url}/v1/swarm/schedule`, first.apiKey, { ...EXAMPLE_SWARM_SPEC, schedule: { scheduled_time: future } }));
    expect(scheduled).toMatchObject({ status: 'success', message: 'Swarm scheduled successfully' });
    const listed = await json(fetch(`${first.url}/v1/swarm/schedule`, { headers: { 'x-api-key': first.apiKey } }));
    expect(listed.scheduled_jobs.map((j: { job_id: string }) => j.job_id)).toEqual([scheduled.job_id]);
    await first.coordinator.close(); // before it is due

    const { startCoordinator } = await import('../../server/app.js');
    const { loadServerConfig } = await import('../../server/config.js');
    const { silentLogger } = await import('../../server/logger.js');
    const restarted = await startCoordinator(
      loadServerConfig({}, { port: 0, dataDir: first.dataDir, taskId: 'test-task', modelMap: '*=offline', sweepIntervalMs: 100 }),
      { log: silentLogger() },
    );
    try {
      await vi.waitFor(
        async () => {
          const jobs = await json(fetch(`${restarted.url}/v1/swarm/schedule`, { headers: { 'x-api-key': first.apiKey } }));
          expect(jobs.scheduled_jobs[0]).toMatchObject({ job_id: scheduled.job_id, status: 'completed' });
        },
        { timeout: 15_000, interval: 200 },
      );
      const logs = await json(fetch(`${restarted.url}/v1/swarm/logs`, { headers: { 'x-api-key': first.apiKey } }));
      expect(logs.logs[0]).toMatchObject({ status: 'success', swarm_name: 'Financial Analysis Swarm' });
    } finally {
      await restarted.close();
      await Promise.resolve(first[Symbol.asyncDispose]()).catch(() => undefined);
    }
  });
});
