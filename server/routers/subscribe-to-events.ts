import { DomainError } from '../../shared/errors.js';
import { requireKeyStillValid, verifyApiKey } from '../auth/api-keys.js';
import { streamEvents } from '../events/stream-events.js';
import type { EventRecord } from '../events/read-events.js';
import type { Context } from '../trpc/context.js';
import { translatingErrors } from '../trpc/trpc.js';

const WS_CLOSE_TRY_AGAIN_LATER = 1013;

/**
 * The one event stream behind every subscription: resumes after `lastEventId` (or starts at the
 * present), and drops a consumer whose socket backlog passes the limit. The client reconnects
 * and resumes from its last id, so a slow consumer loses nothing and the server holds nothing.
 * A resume point the log cannot serve gap-free (pruned, or never reached) is refused instead.
 */
export function subscribeToEvents(
  ctx: Context,
  lastEventId: string | null | undefined,
  signal: AbortSignal | undefined,
  filter?: (event: EventRecord) => boolean,
): AsyncGenerator<EventRecord> {
  const afterId = lastEventId ? Number(lastEventId) : ctx.core.bus.latestId;
  const socket = ctx.socket;
  const maxBuffered = ctx.limits.maxSubscriberBufferBytes;
  return translatingErrors(
    streamEvents({
      sqlite: ctx.core.sqlite,
      bus: ctx.core.bus,
      afterId,
      resuming: Boolean(lastEventId),
      signal: signal ?? new AbortController().signal,
      ...(filter ? { filter } : {}),
      beforePage: () => {
        // A key revoked or expired while its subscription runs: the stream ends, nothing more is sent.
        if (ctx.connection?.kind === 'apiKey') requireKeyStillValid(ctx.core, ctx.connection.apiKeyId);
        else if (!ctx.connection && ctx.presentedApiKey) verifyApiKey(ctx.core, ctx.presentedApiKey);
        if (socket && socket.bufferedAmount > maxBuffered) {
          ctx.core.log.warn({ ip: ctx.ip, bufferedAmount: socket.bufferedAmount }, 'dropping slow subscriber; it will resume');
          socket.close(WS_CLOSE_TRY_AGAIN_LATER, 'subscriber too slow; resume from last event id');
          throw new DomainError('RATE_LIMITED', 'subscriber too slow');
        }
      },
    }),
  );
}
