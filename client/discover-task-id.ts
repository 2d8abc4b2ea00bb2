/** What a coordinator says about itself without authentication (`GET /healthz`). */
export interface CoordinatorIdentity {
  taskId: string;
  /** The key that signs its payout lists (absent from older coordinators). */
  coordinatorKey?: string;
}

/** Asks the coordinator who it is (`GET /healthz`): its task id, which signed calls must carry, and its signing key. */
export async function discoverCoordinator(serverUrl: string, signal?: AbortSignal): Promise<CoordinatorIdentity> {
  const timeout = AbortSignal.timeout(10_000);
  const res = await fetch(new URL('/healthz', serverUrl), { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
  if (!res.ok) throw new Error(`GET /healthz answered ${res.status}`);
  const body = (await res.json()) as { taskId?: unknown; coordinatorKey?: unknown };
  if (typeof body.taskId !== 'string' || body.taskId === '') throw new Error('the coordinator did not say its task id');
  return { taskId: body.taskId, ...(typeof body.coordinatorKey === 'string' ? { coordinatorKey: body.coordinatorKey } : {}) };
}

/** The coordinator's task id. */
export async function discoverTaskId(serverUrl: string, signal?: AbortSignal): Promise<string> {
  return (await discoverCoordinator(serverUrl, signal)).taskId;
}
