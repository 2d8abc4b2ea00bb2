/**
 * Runs `fn` over `items` with at most `limit` in flight, keeping results in input order.
 * Every item settles before this returns, so no call outlives the step that started it.
 */
export async function settleConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = { status: 'fulfilled', value: await fn(items[index]!, index) };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    }
  }
  const workers = Math.max(1, Math.min(limit, items.length));
  await Promise.all(Array.from({ length: workers }, () => worker()));
  return results;
}

/**
 * All-or-nothing concurrency: the first failure aborts the siblings (through the signal handed
 * to each call) and is rethrown once every call has settled.
 */
export async function allConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  parentSignal: AbortSignal,
  fn: (item: T, signal: AbortSignal, index: number) => Promise<R>,
): Promise<R[]> {
  const group = new AbortController();
  const onParentAbort = () => group.abort(parentSignal.reason);
  if (parentSignal.aborted) onParentAbort();
  else parentSignal.addEventListener('abort', onParentAbort, { once: true });
  let firstError: { reason: unknown } | undefined;
  try {
    const settled = await settleConcurrently(items, limit, async (item, index) => {
      if (group.signal.aborted) throw group.signal.reason;
      try {
        return await fn(item, group.signal, index);
      } catch (reason) {
        if (!firstError) {
          firstError = { reason };
          group.abort(reason);
        }
        throw reason;
      }
    });
    if (firstError) throw firstError.reason;
    const rejected = settled.find((result) => result.status === 'rejected');
    if (rejected) throw rejected.reason;
    return settled.map((result) => (result as PromiseFulfilledResult<R>).value);
  } finally {
    parentSignal.removeEventListener('abort', onParentAbort);
  }
}
