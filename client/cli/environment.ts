import { closest, distance } from 'fastest-levenshtein';
import { ENV_NAMES } from '../../server/config.js';

/**
 * Every variable some part of swarmtask reads, besides the coordinator's settings (ENV_NAMES, one
 * per ServerConfig field). A SWARMTASK_* name missing here is reported as unknown, so a new
 * variable belongs in this list.
 */
export const OTHER_VARIABLES: Record<string, string> = {
  SWARMTASK_SERVER_URL: 'the coordinator that worker and admin commands talk to',
  SWARMTASK_API_KEY: 'API key for admin commands against --server',
  SWARMTASK_KEY_FILE: "a worker's staking keypair file",
  SWARMTASK_WORKER_DATA: "a worker's data dir (its submission outbox)",
  SWARMTASK_CONCURRENCY: 'how many todos a worker runs at once',
  SWARMTASK_MAX_CALLS_PER_TODO: 'a worker stops a todo after this many model calls',
  SWARMTASK_MAX_TOKENS_PER_TODO: 'a worker stops a todo past this many tokens',
  SWARMTASK_MAX_COST_PER_TODO: 'a worker stops a todo past this many US dollars of model calls',
  SWARMTASK_MAX_COST_PER_DAY: 'a worker spends at most this many US dollars on models per rolling 24 h',
  SWARMTASK_MAX_TOKENS_PER_DAY: 'a worker uses at most this many tokens per rolling 24 h',
  SWARMTASK_MIN_REWARD: 'a worker claims only todos paying at least this many SWARMS',
  SWARMTASK_SWARM_TYPES: 'a worker claims only todos of these swarm types (comma-separated)',
  SWARMTASK_COORDINATOR_KEY: "the key a worker requires the coordinator's payout lists to be signed by",
  SWARMTASK_OPENAI_COMPATIBLE: 'extra OpenAI-compatible providers (name=baseURL,…)',
  SWARMTASK_ANTHROPIC_AUTH: 'bearer (default) or x-api-key for the Anthropic provider',
  SWARMTASK_LLM_TIMEOUT_MS: 'per-call model timeout',
  SWARMTASK_OFFLINE_LATENCY_MS: 'how long each offline-model call takes (demos, benchmarks)',
  SWARMTASK_USER_AGENT: 'User-Agent of GitHub API calls',
  SWARMTASK_ED25519: 'node: sign and verify with node:crypto instead of libsodium',
  SWARMTASK_USE_DIST: '1: run the compiled dist/ (the Docker image)',
  SWARMTASK_FROM_SOURCE: '1: run the TypeScript sources through tsx instead of the CLI bundle',
  SWARMTASK_KEEP_BUILD: '1: keep the single binary build directory',
  // Names the original system and the model SDKs use, read as they do.
  MIDDLE_SERVER_URL: 'the original name of SWARMTASK_SERVER_URL',
  TASK_ID: 'the original name of SWARMTASK_TASK_ID (worker side)',
  GITHUB_USERNAME: "the worker's GitHub user",
  GITHUB_TOKEN: "the worker's GitHub token (pull requests, audits)",
  GITHUB_API_URL: 'GitHub API base URL (GitHub Enterprise)',
  IPFS_API_URL: 'a Kubo RPC API to store submissions in, instead of the embedded store',
  OPENAI_API_KEY: 'key of the openai/ provider',
  OPENAI_BASE_URL: 'base URL of the openai/ provider',
  ANTHROPIC_API_KEY: 'key of the anthropic/ provider',
  ANTHROPIC_BASE_URL: 'base URL of the anthropic/ provider',
};

/** Variables whose values grant access: shown as set, never printed. */
export const isSecretVariable = (name: string) => /(_API_KEY|_TOKEN|_SECRET)$/.test(name);

const KNOWN = new Set([...Object.values(ENV_NAMES), ...Object.keys(OTHER_VARIABLES)]);

export interface UnknownVariable {
  name: string;
  /** The known name it most likely meant (a typo away), if any. */
  suggestion?: string;
}

/** SWARMTASK_* variables set in `env` that nothing reads: a typo here silently changes nothing. */
export function unknownVariables(env: NodeJS.ProcessEnv): UnknownVariable[] {
  const known = [...KNOWN];
  return Object.keys(env)
    .filter((name) => name.startsWith('SWARMTASK_') && !KNOWN.has(name))
    .sort()
    .map((name) => {
      const nearest = closest(name, known);
      // A few edits apart (or one name inside the other): likely the same setting mistyped.
      const likely = distance(name, nearest) <= Math.max(2, Math.floor(nearest.length / 5)) || nearest.startsWith(name) || name.startsWith(nearest);
      return likely ? { name, suggestion: nearest } : { name };
    });
}

/** `env` less the unknown variables: for child processes, so each warning is printed once, by the parent. */
export function withoutUnknownVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const unknown = new Set(unknownVariables(env).map((u) => u.name));
  return Object.fromEntries(Object.entries(env).filter(([name]) => !unknown.has(name)));
}

/** One warning line per unknown variable, as the CLI prints them on stderr. */
export function describeUnknownVariables(unknown: UnknownVariable[]): string[] {
  return unknown.map(
    ({ name, suggestion }) => `swarmtask: warning: ${name} is not a swarmtask setting and is ignored${suggestion ? ` (did you mean ${suggestion}?)` : ''}`,
  );
}
