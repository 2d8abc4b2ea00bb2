/** The provider layer: one interface for every model call, routed by model name. */
export type {
  CallOptions,
  ChatMessage,
  ChatRequest,
  ChatResult,
  ImageRef,
  JsonSchema,
  LlmProvider,
  StreamCallOptions,
  StructuredOutputRequest,
  TokenUsage,
} from './types.js';
export { LlmCallError, LlmConfigError, ModelMapSyntaxError, type LlmCallErrorKind } from './errors.js';
export { EMBEDDED_DEFAULT_MODEL_MAP, applyModelMap, formatModelMap, matchModelMap, parseModelMap, type ModelMapRule } from './model-map.js';
export { routeModel, type ModelRoute } from './model-routing.js';
export { BUILTIN_COMPATIBLE_PROVIDERS, parseCompatibleProviders, type CompatibleProviderConfig } from './compatible-providers.js';
export {
  createProviderRegistry,
  type Env,
  type ProviderDescription,
  type ProviderRegistry,
  type ProviderRegistryConfig,
  type ResolvedModel,
} from './registry.js';
export { createOpenAiProvider, type OpenAiProviderOptions } from './openai-provider.js';
export { createAnthropicProvider, type AnthropicProviderOptions } from './anthropic-provider.js';
export { createOfflineProvider, type OfflineProvider, type OfflineProviderOptions } from './offline-provider.js';
export { sampleJsonSchema } from './json-schema-sample.js';
export { DEFAULT_PRICE_TABLE, costOfCall, findPrice, type CallCost, type ModelPrice } from './pricing.js';
export { countTokens, countRequestTokens } from './tokens.js';
export { parseImageRef, IMAGE_REF_HINT, type ParsedImage } from './image-input.js';
