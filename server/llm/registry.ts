import { createAnthropicProvider } from './anthropic-provider.js';
import { BUILTIN_COMPATIBLE_PROVIDERS, parseCompatibleProviders, type CompatibleProviderConfig } from './compatible-providers.js';
import { LlmConfigError } from './errors.js';
import { formatModelMap, matchModelMap, parseModelMap, type ModelMapRule } from './model-map.js';
import { routeModel } from './model-routing.js';
import { createOfflineProvider, type OfflineProviderOptions } from './offline-provider.js';
import { createOpenAiProvider } from './openai-provider.js';
import { costOfCall, DEFAULT_PRICE_TABLE, type CallCost, type ModelPrice } from './pricing.js';
import type { LlmProvider, TokenUsage } from './types.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Everything the provider layer needs, passed in: nothing is read from globals. */
export interface ProviderRegistryConfig {
  /** Usually `process.env`; keys, base URLs and the defaults below are read from it. */
  env?: Env;
  /** Rules or their text; defaults to `env.SWARMTASK_MODEL_MAP`. */
  modelMap?: string | readonly ModelMapRule[];
  /** Extra OpenAI-compatible prefixes (added to the built-ins and `env.SWARMTASK_OPENAI_COMPATIBLE`). */
  compatibleProviders?: readonly CompatibleProviderConfig[];
  /** SDK retries per call (connection errors, 408/409/429/5xx); default 2. */
  maxRetries?: number;
  /** Default per-call timeout; default `env.SWARMTASK_LLM_TIMEOUT_MS` or 120 s. */
  timeoutMs?: number;
  anthropic?: { auth?: 'bearer' | 'x-api-key'; apiVersion?: string };
  openai?: { structuredOutput?: 'json_schema' | 'tools' };
  offline?: OfflineProviderOptions;
  /** Merged over DEFAULT_PRICE_TABLE. */
  prices?: Readonly<Record<string, ModelPrice>>;
  /** Providers supplied by the caller, addressed by prefix (`mock/any-model`); they win over built-ins. */
  providers?: Readonly<Record<string, LlmProvider>>;
}

export interface ResolvedModel {
  /** The name the agent asked for. */
  requested: string;
  /** The name after the model map. */
  target: string;
  mappedBy?: ModelMapRule;
  providerId: string;
  /** The provider-local model id sent on the wire. */
  model: string;
  provider: LlmProvider;
}

export interface ProviderDescription {
  id: string;
  kind: 'openai' | 'anthropic' | 'openai-compatible' | 'offline' | 'custom';
  configured: boolean;
  envVar?: string;
  baseURL?: string;
}

export interface ProviderRegistry {
  readonly modelMap: readonly ModelMapRule[];
  readonly timeoutMs: number;
  /** Throws LlmConfigError (naming the variable to set) when the model cannot be served. */
  resolve(modelName: string): ResolvedModel;
  costOf(resolved: Pick<ResolvedModel, 'providerId' | 'model'>, usage: TokenUsage): CallCost;
  describe(): { providers: ProviderDescription[]; modelMap: string; pricedModels: string[] };
}

const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_MAX_RETRIES = 2;

export function createProviderRegistry(config: ProviderRegistryConfig = {}): ProviderRegistry {
  const env = config.env ?? {};
  const modelMap = typeof config.modelMap === 'string' || config.modelMap === undefined
    ? parseModelMap(config.modelMap ?? env['SWARMTASK_MODEL_MAP'])
    : [...config.modelMap];
  const envTimeout = Number(env['SWARMTASK_LLM_TIMEOUT_MS']);
  const timeoutMs = config.timeoutMs ?? (Number.isFinite(envTimeout) && envTimeout > 0 ? envTimeout : DEFAULT_TIMEOUT_MS);
  const maxRetries = config.maxRetries ?? DEFAULT_MAX_RETRIES;
  const prices = { ...DEFAULT_PRICE_TABLE, ...config.prices };
  const custom = config.providers ?? {};
  const compatible = new Map<string, CompatibleProviderConfig>();
  for (const entry of [...BUILTIN_COMPATIBLE_PROVIDERS, ...parseCompatibleProviders(env['SWARMTASK_OPENAI_COMPATIBLE']), ...(config.compatibleProviders ?? [])]) {
    compatible.set(entry.id, entry);
  }
  const knownPrefixes = new Set<string>(['openai', 'anthropic', 'offline', ...compatible.keys(), ...Object.keys(custom)]);
  const created = new Map<string, LlmProvider>();
  const anthropicAuth = config.anthropic?.auth ?? (env['SWARMTASK_ANTHROPIC_AUTH'] === 'x-api-key' ? 'x-api-key' : 'bearer');

  function missingKey(providerId: string, envVar: string, requested: string): LlmConfigError {
    return new LlmConfigError(
      `model "${requested}" runs on ${providerId}, which needs an API key: set ${envVar}, ` +
        `or send the model elsewhere with SWARMTASK_MODEL_MAP (e.g. SWARMTASK_MODEL_MAP='*=offline')`,
      envVar,
    );
  }

  function build(providerId: string, requested: string): LlmProvider {
    const customProvider = custom[providerId];
    if (customProvider) return customProvider;
    if (providerId === 'offline') return createOfflineProvider(config.offline ?? offlineFromEnv(env));
    if (providerId === 'openai') {
      const apiKey = env['OPENAI_API_KEY'];
      if (!apiKey) throw missingKey('openai', 'OPENAI_API_KEY', requested);
      return createOpenAiProvider({
        id: 'openai',
        apiKey,
        baseURL: env['OPENAI_BASE_URL'] || 'https://api.openai.com/v1',
        maxRetries,
        timeoutMs,
        structuredOutput: config.openai?.structuredOutput,
        dialect: 'openai',
      });
    }
    if (providerId === 'anthropic') {
      const apiKey = env['ANTHROPIC_API_KEY'];
      if (!apiKey) throw missingKey('anthropic', 'ANTHROPIC_API_KEY', requested);
      return createAnthropicProvider({
        apiKey,
        baseURL: env['ANTHROPIC_BASE_URL'] || 'https://api.anthropic.com',
        maxRetries,
        timeoutMs,
        auth: anthropicAuth,
        apiVersion: config.anthropic?.apiVersion,
      });
    }
    const compat = compatible.get(providerId);
    if (!compat) throw new LlmConfigError(`unknown provider "${providerId}" for model "${requested}"`);
    const configuredKey = compat.apiKeyEnv ? env[compat.apiKeyEnv] : undefined;
    if (!configuredKey && compat.apiKeyRequired) throw missingKey(providerId, compat.apiKeyEnv ?? 'the API key variable', requested);
    return createOpenAiProvider({
      id: compat.id,
      apiKey: configuredKey || compat.placeholderApiKey || 'none',
      baseURL: (compat.baseUrlEnv ? env[compat.baseUrlEnv] : undefined) || compat.baseURL,
      maxRetries,
      timeoutMs,
      headers: compat.headers,
      structuredOutput: compat.structuredOutput,
      supportsImages: compat.supportsImages,
      dialect: 'compatible',
    });
  }

  function providerFor(providerId: string, requested: string): LlmProvider {
    let provider = created.get(providerId);
    if (!provider) {
      provider = build(providerId, requested);
      created.set(providerId, provider);
    }
    return provider;
  }

  return {
    modelMap,
    timeoutMs,

    resolve(requested) {
      const mappedBy = matchModelMap(modelMap, requested);
      const target = mappedBy?.target ?? requested;
      const route = routeModel(target, knownPrefixes);
      if (!route) {
        throw new LlmConfigError(
          `model "${target}" cannot be routed to a provider: prefix it with one of ${[...knownPrefixes].sort().join('/, ')}/ ` +
            `or map it with SWARMTASK_MODEL_MAP (e.g. SWARMTASK_MODEL_MAP='${target}=ollama/${target}')`,
          'SWARMTASK_MODEL_MAP',
        );
      }
      // A bare `offline` target keeps the requested name, so results still say which model was asked for.
      const model = route.providerId === 'offline' && target === 'offline' ? requested : route.model;
      const resolved: ResolvedModel = { requested, target, providerId: route.providerId, model, provider: providerFor(route.providerId, requested) };
      if (mappedBy) resolved.mappedBy = mappedBy;
      return resolved;
    },

    costOf(resolved, usage) {
      return costOfCall(resolved.providerId, resolved.model, usage, prices);
    },

    describe() {
      const providers: ProviderDescription[] = [
        { id: 'offline', kind: 'offline', configured: true },
        { id: 'openai', kind: 'openai', configured: Boolean(env['OPENAI_API_KEY']), envVar: 'OPENAI_API_KEY' },
        { id: 'anthropic', kind: 'anthropic', configured: Boolean(env['ANTHROPIC_API_KEY']), envVar: 'ANTHROPIC_API_KEY' },
      ];
      for (const compat of compatible.values()) {
        const description: ProviderDescription = {
          id: compat.id,
          kind: 'openai-compatible',
          configured: !compat.apiKeyRequired || Boolean(compat.apiKeyEnv && env[compat.apiKeyEnv]),
          baseURL: (compat.baseUrlEnv ? env[compat.baseUrlEnv] : undefined) || compat.baseURL,
        };
        if (compat.apiKeyEnv) description.envVar = compat.apiKeyEnv;
        providers.push(description);
      }
      for (const id of Object.keys(custom)) providers.push({ id, kind: 'custom', configured: true });
      return { providers, modelMap: formatModelMap(modelMap), pricedModels: Object.keys(prices).sort() };
    },
  };
}

/** `SWARMTASK_OFFLINE_LATENCY_MS` makes the offline model take that long per call (demos, benchmarks, crash tests). */
function offlineFromEnv(env: Env): OfflineProviderOptions | undefined {
  const latencyMs = Number(env['SWARMTASK_OFFLINE_LATENCY_MS']);
  return Number.isFinite(latencyMs) && latencyMs > 0 ? { latencyMs } : undefined;
}
