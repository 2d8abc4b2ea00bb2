import type { EventRecord } from '../events/read-events.js';
import { signWebhook, WEBHOOK_SIGNATURE_HEADER } from '../../shared/webhook-signature.js';

export interface WebhookTarget {
  url: string;
  secret?: string | undefined;
  taskId: string;
  timeoutMs: number;
}

/** What a receiver gets: the coordinator's task and a batch of events, oldest first. */
export interface WebhookDelivery {
  taskId: string;
  events: EventRecord[];
}

export class WebhookDeliveryError extends Error {
  override name = 'WebhookDeliveryError';
}

/**
 * POSTs one batch of events as JSON, signed when there is a secret. Any 2xx is delivered; any
 * other answer, a timeout or a network error throws with what happened, for the retry to say.
 */
export async function postEvents(target: WebhookTarget, events: EventRecord[], stop: AbortSignal, now = Date.now()): Promise<void> {
  const body = JSON.stringify({ taskId: target.taskId, events } satisfies WebhookDelivery);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'swarmtask-webhook',
    // Receivers drop what they already have by event id; the range names the batch in their logs.
    'x-swarmtask-events': `${events[0]!.id}-${events.at(-1)!.id}`,
  };
  if (target.secret) headers[WEBHOOK_SIGNATURE_HEADER] = signWebhook(target.secret, body, now);

  // One controller per request (AbortSignal.any keeps what it links alive on Node 20).
  const request = new AbortController();
  const timer = setTimeout(() => request.abort(new WebhookDeliveryError(`no answer within ${target.timeoutMs} ms`)), target.timeoutMs);
  const onStop = () => request.abort(stop.reason);
  stop.addEventListener('abort', onStop, { once: true });
  try {
    const response = await fetch(target.url, { method: 'POST', headers, body, signal: request.signal, redirect: 'manual' });
    const text = await response.text().catch(() => '');
    if (response.status < 200 || response.status > 299) {
      const said = text.trim().slice(0, 200);
      throw new WebhookDeliveryError(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${said ? `: ${said}` : ''}`);
    }
  } catch (error) {
    if (error instanceof WebhookDeliveryError) throw error;
    if (request.signal.aborted && request.signal.reason instanceof WebhookDeliveryError) throw request.signal.reason;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new WebhookDeliveryError(cause?.code ?? cause?.message ?? (error as Error).message);
  } finally {
    clearTimeout(timer);
    stop.removeEventListener('abort', onStop);
  }
}
