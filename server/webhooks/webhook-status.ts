import type { Core } from '../core.js';
import { readWebhookState, type WebhookState } from './webhook-state.js';

export interface WebhookStatus extends WebhookState {
  /** Events written after the cursor (those matching the webhook's prefixes are still to be sent). */
  eventsAfterCursor: number;
}

/** Where webhook delivery stands, as saved by the coordinator that sends it (null: no webhook ever ran on this store). */
export function webhookStatus(core: Pick<Core, 'sqlite' | 'bus'>): WebhookStatus | null {
  const state = readWebhookState(core.sqlite);
  if (!state) return null;
  return { ...state, eventsAfterCursor: Math.max(0, core.bus.latestId - state.cursor) };
}
