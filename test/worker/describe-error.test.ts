import { describe, expect, it } from 'vitest';
import { connectionFailure } from '../../client/connection-failure.js';
import { createWorkerClient } from '../../client/worker-client.js';
import { describeError, isDefinitiveRefusal } from '../../client/worker/rpc.js';
import { generateKeypair } from '../../shared/keypair.js';
import { closedPort } from '../helpers/closed-port.js';
import { startTestCoordinator } from '../helpers/coordinator.js';

describe('worker error lines', () => {
  it('say the coordinator was not reached, with the socket error, and treat it as retryable', async () => {
    const port = await closedPort();
    const client = createWorkerClient({ url: `http://127.0.0.1:${port}`, keypair: generateKeypair(), taskId: 't', transport: 'http' });
    const error = await client.todos.claim({ max: 1 }).then(
      () => null,
      (e: unknown) => e,
    );
    await client.close();
    expect(connectionFailure(error)).toEqual({ code: 'ECONNREFUSED', message: `connect ECONNREFUSED 127.0.0.1:${port}` });
    expect(describeError(error)).toBe(`cannot reach the coordinator: connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(isDefinitiveRefusal(error)).toBe(false);
  });

  it("carry the coordinator's reason when it answered, and no connection failure", async () => {
    await using t = await startTestCoordinator();
    const client = t.workerClient(t.stakedWorker(), { transport: 'http' });
    const error = await client.todos.claim({ max: 1000 }).then(
      () => null,
      (e: unknown) => e,
    );
    await client.close();
    expect(connectionFailure(error)).toBeNull();
    expect(describeError(error)).toMatch(/^INVALID_INPUT: payload\.max: Too big/);
    expect(isDefinitiveRefusal(error)).toBe(true);
  });

  it('add the reason a wrapper keeps in its cause, once', () => {
    // What Node's fetch throws for a port it refuses to dial (port 1, say).
    expect(describeError(new TypeError('fetch failed', { cause: new Error('bad port') }))).toBe('fetch failed: bad port');
    expect(describeError(new Error('store failed: disk full', { cause: new Error('disk full') }))).toBe('store failed: disk full');
    expect(describeError(new Error('plain'))).toBe('plain');
  });
});
