import { z } from 'zod';
import { SignedEnvelopeBaseSchema } from '../../shared/envelope.js';
import { DomainError } from '../../shared/errors.js';
import { verifyApiKey } from '../auth/api-keys.js';
import { verifySignedRequest, type SignedRequest } from '../auth/verify-signed-request.js';
import type { Core } from '../core.js';
import type { ConnectionIdentity } from './context.js';

/** The action a worker signs to open a WebSocket. */
export const WS_CONNECT_ACTION = 'ws.connect';

/** tRPC requires string values in connectionParams, so the signed payload travels as JSON text. */
const ConnectionParamsSchema = z.union([
  z.object({ apiKey: z.string().min(1) }),
  z.object({ payload: z.string().min(2).max(4096), stakingKey: z.string(), signature: z.string() }),
]);

/**
 * Authenticates a WebSocket once, from its connectionParams: a signed `ws.connect` envelope
 * (workers; fresh timestamp and nonce on every reconnect) or `{ apiKey }` (dashboards, operators).
 * No params means an anonymous connection that can call only public procedures.
 */
export function authenticateConnection(core: Core, params: Record<string, unknown> | null | undefined): ConnectionIdentity | null {
  if (!params || Object.keys(params).length === 0) return null;
  const parsed = ConnectionParamsSchema.safeParse(params);
  if (!parsed.success) {
    throw new DomainError('CONNECTION_NOT_AUTHENTICATED', 'connectionParams must be { apiKey } or a signed ws.connect envelope');
  }
  if ('apiKey' in parsed.data) {
    const key = verifyApiKey(core, parsed.data.apiKey);
    return { kind: 'apiKey', apiKeyId: key.id, scope: key.scope };
  }
  let payload: unknown;
  try {
    payload = JSON.parse(parsed.data.payload);
  } catch {
    throw new DomainError('CONNECTION_NOT_AUTHENTICATED', 'connectionParams.payload is not JSON');
  }
  const envelope = SignedEnvelopeBaseSchema.safeParse({ ...parsed.data, payload });
  if (!envelope.success) {
    const issue = envelope.error.issues[0]!;
    throw new DomainError('CONNECTION_NOT_AUTHENTICATED', `connectionParams.${issue.path.join('.')}: ${issue.message}`);
  }
  verifySignedRequest(core, { ...parsed.data, payload } as SignedRequest, { action: WS_CONNECT_ACTION, requireStake: true });
  return { kind: 'worker', stakingKey: envelope.data.stakingKey };
}
