import { describe, expect, it } from 'vitest';
import { consumeNonce } from '../../server/auth/verify-signed-request.js';
import { sweepQueue } from '../../server/queue/index.js';
import { openTestCore } from '../helpers/core.js';

const KEY = 'worker-key';
const storedNonces = (core: ReturnType<typeof openTestCore>) =>
  (core.sqlite.prepare('SELECT nonce FROM nonces ORDER BY nonce').all() as { nonce: string }[]).map((r) => r.nonce);

describe('nonces', () => {
  it('a second use of the same signed payload (same timestamp, key and nonce) is a replay', () => {
    using core = openTestCore();
    const signedAt = Date.now();
    consumeNonce(core, KEY, 'nonce-a', signedAt);
    expect(() => consumeNonce(core, KEY, 'nonce-a', signedAt)).toThrow(/payload.nonce "nonce-a" was already used/);
    // Another key may use the same nonce string: nonces are per staking key.
    consumeNonce(core, 'other-key', 'nonce-a', signedAt);
    expect(storedNonces(core)).toEqual(['nonce-a', 'nonce-a']);
  });

  it('the sweep forgets nonces signed more than twice the window ago and keeps the rest', () => {
    using core = openTestCore();
    const now = Date.now();
    const window = core.auth.signatureWindowMs;
    consumeNonce(core, KEY, 'old', now - 2 * window - 1);
    consumeNonce(core, KEY, 'edge', now - 2 * window);
    consumeNonce(core, KEY, 'recent', now - window);
    expect(sweepQueue(core, now).noncesPurged).toBe(1);
    expect(storedNonces(core)).toEqual(['edge', 'recent']);
    // Still remembered: replaying the recent one fails.
    expect(() => consumeNonce(core, KEY, 'recent', now - window)).toThrow(/already used/);
  });
});
