import type { TRPCLink } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import { observable } from '@trpc/server/observable';

/**
 * Hands a query's or mutation's result on but not the completion that follows it.
 *
 * tRPC's promise adapter settles on the result; on completion it also aborts an AbortController,
 * and the AbortError (a DOMException with a captured stack) cost the worker more CPU than the rest
 * of a small call. The result has settled the promise by then, so nothing waits for it.
 * Subscriptions, and calls that end without a result, complete as usual.
 */
export function settleOnResultLink<Router extends AnyTRPCRouter>(): TRPCLink<Router> {
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        let resulted = false;
        const subscription = next(op).subscribe({
          next(value) {
            resulted = true;
            observer.next(value);
          },
          error(error) {
            observer.error(error);
          },
          complete() {
            if (op.type === 'subscription' || !resulted) observer.complete();
          },
        });
        return () => subscription.unsubscribe();
      });
}
