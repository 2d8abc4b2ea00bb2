import type { ApiKeyScope } from '../auth/api-keys.js';
import type { WebSocket } from 'ws';
import type { Core } from '../core.js';
import type { RateLimiter } from '../auth/rate-limiter.js';

export interface Limiters {
  ip: RateLimiter;
  stakingKey: RateLimiter;
  apiKey: RateLimiter;
}

/** Who a WebSocket connection authenticated as, once, with its signed connectionParams. */
export type ConnectionIdentity = { kind: 'worker'; stakingKey: string } | { kind: 'apiKey'; apiKeyId: string; scope: ApiKeyScope };

export interface ServerLimits {
  /** A subscriber whose socket holds more unsent bytes than this is disconnected (it resumes). */
  maxSubscriberBufferBytes: number;
}

export interface Context {
  core: Core;
  limiters: Limiters;
  limits: ServerLimits;
  transport: 'http' | 'ws' | 'local';
  ip: string;
  /** The API key presented in `x-api-key` / `Authorization: Bearer` (HTTP), if any. */
  presentedApiKey: string | null;
  connection: ConnectionIdentity | null;
  socket: WebSocket | null;
}
