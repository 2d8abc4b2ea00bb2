import { TRPCClientError } from '@trpc/client';

/** What the coordinator says about a refused call in `error.data` (see the server's errorFormatter). */
export interface RefusalData {
  code?: string;
  reason?: string | null;
  retryAfterMs?: number | null;
  serverTimeMs?: number | null;
}

/** The error data of a tRPC refusal; undefined for anything else (a lost connection, a timeout). */
export function refusalData(error: unknown): RefusalData | undefined {
  return error instanceof TRPCClientError ? asRefusalData((error as TRPCClientError<never>).data) : undefined;
}

/** `error.data` as sent on the wire (also in a refused WebSocket's one frame), if it is an object at all. */
export function asRefusalData(data: unknown): RefusalData | undefined {
  return typeof data === 'object' && data !== null ? (data as RefusalData) : undefined;
}
