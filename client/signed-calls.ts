import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { SIGNED_META_KEYS } from '../shared/envelope.js';
import type { AppRouter } from '../server/routers/_app.js';

type Inputs = inferRouterInputs<AppRouter>;
type Outputs = inferRouterOutputs<AppRouter>;
type MetaKey = (typeof SIGNED_META_KEYS)[number];

/** `router.procedure` paths whose input is a signed envelope, derived from the server's router. */
export type SignedPath = {
  [R in keyof Inputs & string]: {
    [P in keyof Inputs[R] & string]: Inputs[R][P] extends { payload: object; signature: string } ? `${R}.${P}` : never;
  }[keyof Inputs[R] & string];
}[keyof Inputs & string];

type InputAt<Path> = Path extends `${infer R extends keyof Inputs & string}.${infer P}`
  ? P extends keyof Inputs[R]
    ? Inputs[R][P]
    : never
  : never;

/** What the caller supplies: the payload without the fields the client signs in. */
export type SignedBody<Path extends SignedPath> = InputAt<Path> extends { payload: infer Payload } ? Omit<Payload, MetaKey> : never;

export type SignedOutput<Path extends SignedPath> = Path extends `${infer R extends keyof Outputs & string}.${infer P}`
  ? P extends keyof Outputs[R]
    ? Outputs[R][P]
    : never
  : never;
