/** Asks the coordinator for its task id (`GET /healthz`), which signed calls must carry. */
export async function discoverTaskId(serverUrl: string, signal?: AbortSignal): Promise<string> {
  const timeout = AbortSignal.timeout(10_000);
  const res = await fetch(new URL('/healthz', serverUrl), { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
  if (!res.ok) throw new Error(`GET /healthz answered ${res.status}`);
  const body = (await res.json()) as { taskId?: unknown };
  if (typeof body.taskId !== 'string' || body.taskId === '') throw new Error('the coordinator did not say its task id');
  return body.taskId;
}
