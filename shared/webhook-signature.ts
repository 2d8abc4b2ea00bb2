import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signatures of webhook deliveries, in the scheme Stripe documents: the header
 * `x-swarmtask-signature: t=<ms since the epoch>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. The time is
 * signed with the body, so a receiver that checks it against its clock refuses an old delivery
 * replayed later; `v1` names the scheme so a later one can be added beside it.
 */
export const WEBHOOK_SIGNATURE_HEADER = 'x-swarmtask-signature';

function hmacHex(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export function signWebhook(secret: string, body: string, timestamp = Date.now()): string {
  return `t=${timestamp},v1=${hmacHex(secret, timestamp, body)}`;
}

export type WebhookVerdict = { ok: true; timestamp: number } | { ok: false; reason: string };

/** Checks a delivery's signature header against the exact body received, and its age (default 5 min). */
export function verifyWebhookSignature(secret: string, header: string | undefined, body: string, options: { now?: number; toleranceMs?: number } = {}): WebhookVerdict {
  if (!header) return { ok: false, reason: `no ${WEBHOOK_SIGNATURE_HEADER} header` };
  const parts = new Map(header.split(',').map((part) => part.split('=', 2) as [string, string]));
  const timestamp = Number(parts.get('t'));
  const given = parts.get('v1');
  if (!Number.isSafeInteger(timestamp) || !given || !/^[0-9a-f]{64}$/.test(given)) return { ok: false, reason: 'malformed signature header' };
  const expected = Buffer.from(hmacHex(secret, timestamp, body), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(given, 'hex'))) return { ok: false, reason: 'signature does not match the body' };
  const age = (options.now ?? Date.now()) - timestamp;
  if (Math.abs(age) > (options.toleranceMs ?? 300_000)) {
    const seconds = Math.round(Math.abs(age) / 1000);
    return { ok: false, reason: `signed ${age > 0 ? `${seconds} s ago` : `${seconds} s in the future`}: outside the tolerance (a replay, or a clock off)` };
  }
  return { ok: true, timestamp };
}
