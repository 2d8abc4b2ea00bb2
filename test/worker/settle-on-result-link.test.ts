import { describe, expect, it } from 'vitest';
import { createTRPCClient, getUntypedClient, TRPCClientError, type TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import type { AnyTRPCRouter } from '@trpc/server';
import { settleOnResultLink } from '../../client/settle-on-result-link.js';

type Script = 'result' | 'no-result' | 'error' | 'stream';

/** A terminating link that answers by the script named in the path, as a transport would. */
const scriptedLink: TRPCLink<AnyTRPCRouter> = () => ({ op }) =>
  observable((observer) => {
    const script = op.path as Script;
    if (script === 'error') observer.error(TRPCClientError.from(new Error('refused')));
    else if (script === 'no-result') observer.complete();
    else {
      observer.next({ result: { type: 'data', data: { echoed: op.input } } });
      if (script === 'stream') observer.next({ result: { type: 'data', data: 'second' } });
      observer.complete();
    }
    return () => undefined;
  });

const client = getUntypedClient(createTRPCClient<AnyTRPCRouter>({ links: [settleOnResultLink(), scriptedLink] }));

describe('settleOnResultLink', () => {
  it('a mutation resolves with its result', async () => {
    await expect(client.mutation('result', { n: 1 })).resolves.toEqual({ echoed: { n: 1 } });
  });

  it('an error still rejects with a TRPCClientError', async () => {
    await expect(client.mutation('error', {})).rejects.toThrow(/refused/);
  });

  it('a call that completes without a result still fails instead of hanging', async () => {
    await expect(client.mutation('no-result', {})).rejects.toBeInstanceOf(TRPCClientError);
  });

  it('a subscription gets every value and its completion', async () => {
    const seen: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      client.subscription('stream', { s: 1 }, { onData: (data) => seen.push(data), onError: reject, onComplete: resolve });
    });
    expect(seen).toEqual([{ echoed: { s: 1 } }, 'second']);
  });
});
