import { splitList } from './split-list.js';
import { ModelMapSyntaxError } from './errors.js';

/** An OpenAI-compatible server reached through the official `openai` SDK, addressed by model prefix. */
export interface CompatibleProviderConfig {
  /** The model-name prefix (`ollama` for `ollama/llama3.1`); also the result's provider label. */
  id: string;
  baseURL: string;
  /** Environment variable that overrides `baseURL`. */
  baseUrlEnv?: string;
  /** Environment variable holding the API key. */
  apiKeyEnv?: string;
  /** A missing key is a configuration error (hosted services), not a placeholder (local servers). */
  apiKeyRequired?: boolean;
  /** Sent when no key is configured: local servers want some bearer value but ignore it. */
  placeholderApiKey?: string;
  headers?: Record<string, string>;
  /** How structured output is requested; some servers support only one of the two. */
  structuredOutput?: 'json_schema' | 'tools';
  supportsImages?: boolean;
}

export const BUILTIN_COMPATIBLE_PROVIDERS: readonly CompatibleProviderConfig[] = [
  {
    id: 'ollama',
    baseURL: 'http://localhost:11434/v1',
    baseUrlEnv: 'OLLAMA_BASE_URL',
    apiKeyEnv: 'OLLAMA_API_KEY',
    placeholderApiKey: 'ollama',
  },
  {
    id: 'vllm',
    baseURL: 'http://localhost:8000/v1',
    baseUrlEnv: 'VLLM_BASE_URL',
    apiKeyEnv: 'VLLM_API_KEY',
    placeholderApiKey: 'EMPTY',
  },
  {
    id: 'lmstudio',
    baseURL: 'http://localhost:1234/v1',
    baseUrlEnv: 'LMSTUDIO_BASE_URL',
    apiKeyEnv: 'LMSTUDIO_API_KEY',
    placeholderApiKey: 'lm-studio',
  },
  {
    id: 'openrouter',
    baseURL: 'https://openrouter.ai/api/v1',
    baseUrlEnv: 'OPENROUTER_BASE_URL',
    apiKeyEnv: 'OPENROUTER_API_KEY',
    apiKeyRequired: true,
  },
];

/**
 * Parses user-defined prefixes (`SWARMTASK_OPENAI_COMPATIBLE`): a comma list of
 * `prefix=baseURL` or `prefix=baseURL|KEY_VARIABLE`, e.g.
 * `together=https://api.together.xyz/v1|TOGETHER_API_KEY,local=http://127.0.0.1:9000/v1`.
 * A prefix given a key variable requires that variable to be set.
 */
export function parseCompatibleProviders(text: string | undefined): CompatibleProviderConfig[] {
  return splitList(text).map((entry) => {
      const eq = entry.indexOf('=');
      const id = eq < 0 ? '' : entry.slice(0, eq).trim();
      const [baseURL = '', apiKeyEnv] = entry
        .slice(eq + 1)
        .split('|')
        .map((part) => part.trim());
      if (!/^[a-z0-9][a-z0-9_.-]*$/i.test(id)) {
        throw new ModelMapSyntaxError(`provider entry "${entry}" needs a prefix: prefix=baseURL[|KEY_VARIABLE]`, entry);
      }
      if (!/^https?:\/\//.test(baseURL)) {
        throw new ModelMapSyntaxError(`provider entry "${entry}" needs an http(s) base URL`, entry);
      }
      return apiKeyEnv ? { id, baseURL, apiKeyEnv, apiKeyRequired: true } : { id, baseURL, placeholderApiKey: 'none' };
    });
}
