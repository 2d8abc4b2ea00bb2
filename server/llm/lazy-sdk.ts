import type { SdkErrorClasses } from './sdk-errors.js';

/**
 * An SDK client made on the first call. The official SDKs take ~0.2 s (openai) and ~0.5 s
 * (@anthropic-ai/sdk) to import, which every CLI command, worker and coordinator start would pay
 * although most runs never call that provider.
 */
export function lazySdkClient<Sdk extends SdkErrorClasses, Client>(
  load: () => Promise<Sdk>,
  create: (sdk: Sdk) => Client,
): () => Promise<{ client: Client; errors: SdkErrorClasses }> {
  let ready: Promise<{ client: Client; errors: SdkErrorClasses }> | undefined;
  return () => (ready ??= load().then((sdk) => ({ client: create(sdk), errors: sdk })));
}
