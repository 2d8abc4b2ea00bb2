import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { DomainError, type ErrorReason } from '../../shared/errors.js';
import type { Context } from './context.js';
import { describeError } from '../http/describe-error.js';
import { asCallerError } from '../db/store-failure.js';

/** Zod issues as `path: message` strings, so a bad input names its field. */
export function describeZodError(error: ZodError): { message: string; issues: { path: string; message: string }[] } {
  const issues = error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(input)',
    message: issue.message,
  }));
  return { message: issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues };
}

const t = initTRPC.context<Context>().create({
  isDev: false,
  errorFormatter({ shape, error }) {
    const zodError = error.cause instanceof ZodError ? describeZodError(error.cause) : null;
    const domain = error.cause instanceof DomainError ? error.cause : null;
    return {
      ...shape,
      message: zodError ? zodError.message : shape.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        reason: (domain?.reason ?? (zodError ? 'INVALID_INPUT' : null)) as ErrorReason | null,
        issues: zodError?.issues ?? null,
        retryAfterMs: domain?.details.retryAfterMs ?? null,
        serverTimeMs: domain?.details.serverTimeMs ?? null,
      },
    };
  },
});

export const router = t.router;
export const middleware = t.middleware;
export const createCallerFactory = t.createCallerFactory;

/** A domain failure as the tRPC error with the matching code; the reason travels in `cause`. */
function asTrpcError(thrown: unknown): TRPCError | null {
  const cause = asCallerError(thrown);
  const described = describeError(cause);
  return described ? new TRPCError({ code: described.code, message: described.message, cause }) : null;
}

/**
 * A subscription's stream with domain failures turned into tRPC errors. The guard below cannot do
 * it: a subscription procedure returns its generator at once, and the generator fails later.
 */
export async function* translatingErrors<T>(stream: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* stream;
  } catch (error) {
    throw asTrpcError(error) ?? error;
  }
}

/**
 * Every procedure on every transport: the per-IP token bucket, domain failures turned into tRPC
 * errors with the matching code, and bad inputs into messages that name the field. One
 * middleware, not several: each level of tRPC's middleware chain copies the call's options, a
 * measurable part of a one-todo call.
 */
const guard = t.middleware(async ({ ctx, next }) => {
  if (ctx.transport !== 'local') {
    try {
      ctx.limiters.ip.take(ctx.ip);
    } catch (error) {
      throw asTrpcError(error) ?? error;
    }
  }
  const result = await next();
  if (!result.ok && result.error.code === 'INTERNAL_SERVER_ERROR') {
    const mapped = asTrpcError(result.error.cause);
    if (mapped) throw mapped;
  }
  // tRPC's own message for a bad input is the issues as JSON; in-process callers (the CLI on a
  // data dir) see the message, so it gets the same `field: problem` text the wire format carries.
  if (!result.ok && result.error.cause instanceof ZodError) {
    throw new TRPCError({ code: result.error.code, message: describeZodError(result.error.cause).message, cause: result.error.cause });
  }
  return result;
});

export const publicProcedure = t.procedure.use(guard);
