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
  if (!(error instanceof TRPCClientError)) return undefined;
  const data = (error as TRPCClientError<never>).data as unknown;
  return typeof data === 'object' && data !== null ? (data as RefusalData) : undefined;
}
