import { z } from 'zod';
import { resolve } from 'node:path';
import { BASE_UNITS_PER_SWARMS } from './queue/queue-config.js';
import { parseModelMap } from './llm/model-map.js';

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

/** What a webhook hears by default: outcomes an operator acts on, not every claim and heartbeat. */
export const DEFAULT_WEBHOOK_EVENTS = 'todo.done,todo.failed,submission.rejected,round.distribution,queue.';

export const webhookEventPrefixes = (text: string): string[] =>
  text
    .split(',')
    .map((prefix) => prefix.trim())
    .filter((prefix) => prefix !== '');

/**
 * Every setting, its environment variable and its default. Flags override the environment;
 * a bad value stops start-up with exit code 2 and a message naming the variable.
 */
export const ServerConfigSchema = z.object({
  port: int(0, 65535).default(8787),
  host: z.string().min(1).default('127.0.0.1'),
  dataDir: z.string().min(1).default('./data'),
  taskId: z.string().min(1).max(200).default('swarmtask-local'),
  synchronous: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
  leaseMs: int(1000).default(60_000),
  maxAttempts: int(1, 100).default(5),
  /** Wait after a reported failure before the todo may be claimed again, doubling with each attempt (0: at once). */
  retryDelayMs: int(0, 86_400_000).default(0),
  /** The longest such wait. */
  retryDelayMaxMs: int(1, 7 * 86_400_000).default(600_000),
  defaultReward: int(0).default(400 * BASE_UNITS_PER_SWARMS),
  minStake: int(0).default(BASE_UNITS_PER_SWARMS),
  signatureWindowMs: int(1000).default(120_000),
  sweepIntervalMs: int(50).default(1000),
  /** Round length (Koii's are about 20 min); `up` uses about 15 s so a first payout comes quickly. */
  roundMs: int(1000).default(600_000),
  /** Start of round 0, ms since the epoch. */
  roundEpochMs: int(0).default(0),
  /** Audits per submission (fewer when fewer eligible workers), never by the submitter. */
  auditQuorum: int(1, 15).default(3),
  /** How long an auditor has to cast a vote before the audit is reassigned. */
  auditTimeoutMs: int(1000).default(120_000),
  /** Total reward paid per round at most, base units; 0 = no cap. */
  roundBountyCap: int(0).default(0),
  /** Fraction of stake slashed for a rejected submission (0 = none). */
  slashFraction: z.coerce.number().min(0).max(1).default(0),
  eventPollMs: int(50).default(500),
  /** Events older than this are pruned from the log (subscriptions resume within it); 0 keeps them all. */
  eventRetentionDays: z.coerce.number().min(0).max(36_500).default(30),
  bodyLimitBytes: int(1024).default(1024 * 1024),
  maxSubscriberBufferBytes: int(1024).default(4 * 1024 * 1024),
  rateLimitIpPerSecond: z.coerce.number().min(0).default(1000),
  rateLimitIpBurst: int(1).default(2000),
  rateLimitStakingKeyPerSecond: z.coerce.number().min(0).default(500),
  rateLimitStakingKeyBurst: int(1).default(1000),
  rateLimitApiKeyPerSecond: z.coerce.number().min(0).default(100),
  rateLimitApiKeyBurst: int(1).default(200),
  /** Where model names go, e.g. `*=offline` or `gpt-4o=ollama/llama3.1,claude-*=anthropic/claude-sonnet-4-6`. */
  modelMap: z
    .string()
    .optional()
    .superRefine((text, ctx) => {
      try {
        parseModelMap(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
  /** Identical swarm API requests within this many seconds are answered from the cache (0 = off). */
  cacheTtlSeconds: int(0).default(300),
  cacheMaxEntries: int(0).default(1000),
  /** Upper bound on one swarm run through the API. */
  swarmRunTimeoutMs: int(1000).default(600_000),
  /** What one swarm run through the API may spend on the operator's model keys (0 = no limit): calls, tokens, US dollars. */
  swarmMaxCalls: int(0).default(0),
  swarmMaxTokens: int(0).default(0),
  swarmMaxCostUsd: z.coerce.number().min(0).default(0),
  /** POST the events an operator wants to hear about here as they happen (http or https); unset: none. */
  webhookUrl: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  /** HMAC-SHA256 key that signs each delivery (header x-swarmtask-signature). */
  webhookSecret: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Event type prefixes sent to the webhook, comma-separated (`todo.` is every todo event). */
  webhookEvents: z
    .string()
    .default(DEFAULT_WEBHOOK_EVENTS)
    .refine(
      (text) => {
        const prefixes = webhookEventPrefixes(text);
        return prefixes.length > 0 && prefixes.length <= 20 && prefixes.every((prefix) => /^[a-z_]+(\.[a-z_]*)*$/.test(prefix));
      },
      {
        message: 'must be 1 to 20 event type prefixes separated by commas, like todo.failed,round.distribution,queue.',
      },
    ),
  webhookTimeoutMs: int(100).default(10_000),
  /** Wait before retrying a failed delivery; it doubles each time, up to 5 minutes. */
  webhookRetryMs: int(10).default(1000),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  logFile: z.string().min(1).optional(),
});

export type ServerConfig = z.output<typeof ServerConfigSchema>;
export type ServerConfigInput = z.input<typeof ServerConfigSchema>;

/** Environment variable of each setting (SWARMTASK_ + upper snake case). */
export const ENV_NAMES: Record<keyof ServerConfig, string> = Object.fromEntries(
  Object.keys(ServerConfigSchema.shape).map((key) => [key, `SWARMTASK_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`]),
) as Record<keyof ServerConfig, string>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads settings from the environment, then applies explicit overrides (CLI flags). */
/** The settings the environment gives (an empty variable counts as unset) and those flags give. */
function givenSettings(env: NodeJS.ProcessEnv, overrides: Partial<ServerConfigInput>): { fromEnv: Record<string, unknown>; defined: Record<string, unknown> } {
  const fromEnv: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    if (env[name] !== undefined && env[name] !== '') fromEnv[key] = env[name];
  }
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return { fromEnv, defined };
}

export function loadServerConfig(env: NodeJS.ProcessEnv, overrides: Partial<ServerConfigInput> = {}): ServerConfig {
  const { fromEnv, defined } = givenSettings(env, overrides);
  const parsed = ServerConfigSchema.safeParse({ ...fromEnv, ...defined });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0]) as keyof ServerConfig;
      const source = key in defined ? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : ENV_NAMES[key];
      return `${source}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}

export type ConfigSource = 'default' | 'environment' | 'flag';

export interface ConfigEntry {
  key: keyof ServerConfig;
  variable: string;
  /** Undefined for an optional setting left unset. */
  value: ServerConfig[keyof ServerConfig];
  source: ConfigSource;
}

/** Each setting as `loadServerConfig` resolves it here, and where its value came from. */
export function describeServerConfig(env: NodeJS.ProcessEnv, overrides: Partial<ServerConfigInput> = {}): ConfigEntry[] {
  const config = loadServerConfig(env, overrides);
  const { fromEnv, defined } = givenSettings(env, overrides);
  return (Object.keys(ServerConfigSchema.shape) as (keyof ServerConfig)[]).map((key) => {
    const source: ConfigSource = key in defined ? 'flag' : key in fromEnv ? 'environment' : 'default';
    return { key, variable: ENV_NAMES[key], value: config[key], source };
  });
}

export const databaseFile = (config: Pick<ServerConfig, 'dataDir'>) => resolve(config.dataDir, 'swarmtask.db');
