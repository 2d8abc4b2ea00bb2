import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from '../../shared/webhook-signature.js';

const SECRET = 'whsec-0123456789abcdef';
const BODY = '{"taskId":"t","events":[{"id":7,"type":"todo.failed"}]}';
const T = Date.UTC(2026, 11, 2, 9, 0, 0);

describe('webhook signatures', () => {
  it('is HMAC-SHA256 of "<t>.<body>" under the secret, as a receiver in any language computes it', () => {
    const expected = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');
    expect(signWebhook(SECRET, BODY, T)).toBe(`t=${T},v1=${expected}`);
    expect(verifyWebhookSignature(SECRET, signWebhook(SECRET, BODY, T), BODY, { now: T + 1000 })).toEqual({ ok: true, timestamp: T });
  });

  it('refuses another secret, a changed body, a changed time, an old delivery and a malformed header, each saying why', () => {
    const header = signWebhook(SECRET, BODY, T);
    const mismatch = { ok: false, reason: 'signature does not match the body' };
    expect(verifyWebhookSignature('whsec-another-secret-xx', header, BODY, { now: T })).toEqual(mismatch);
    expect(verifyWebhookSignature(SECRET, header, BODY.replace('failed', 'done'), { now: T })).toEqual(mismatch);
    expect(verifyWebhookSignature(SECRET, header.replace(`t=${T}`, `t=${T + 1}`), BODY, { now: T })).toEqual(mismatch);
    expect(verifyWebhookSignature(SECRET, header, BODY, { now: T + 301_000 })).toEqual({ ok: false, reason: 'signed 301 s ago: outside the tolerance (a replay, or a clock off)' });
    expect(verifyWebhookSignature(SECRET, header, BODY, { now: T - 400_000 })).toMatchObject({ ok: false, reason: expect.stringMatching(/^signed 400 s in the future/) });
    expect(verifyWebhookSignature(SECRET, header, BODY, { now: T + 301_000, toleranceMs: 600_000 })).toMatchObject({ ok: true });
    expect(verifyWebhookSignature(SECRET, undefined, BODY)).toEqual({ ok: false, reason: 'no x-swarmtask-signature header' });
    for (const bad of ['v1=abc', `t=${T}`, `t=soon,v1=${'0'.repeat(64)}`, `t=${T},v1=${'z'.repeat(64)}`]) {
      expect(verifyWebhookSignature(SECRET, bad, BODY, { now: T })).toEqual({ ok: false, reason: 'malformed signature header' });
    }
  });
});
