import type { Command } from 'commander';
import { globalOptions } from '../context.js';
import { readKeyFileOption } from '../read-key-file.js';
import { coordinatorUrl } from '../coordinator-url.js';
import { workerDataDir } from '../worker-data-dir.js';
import { budgetFromLimits } from '../budget-flags.js';
import { claimFilterFromFlags } from '../claim-filter-flags.js';
import { parseDuration } from '../parse-time.js';
import { CliError, emit } from '../output.js';
import { StakingKeySchema } from '../../../shared/envelope.js';
import type { SwarmBudget } from '../../../server/swarms/run-budget.js';

interface WorkerFlags {
  key?: string;
  concurrency?: string;
  githubUser?: string;
  statusPort?: string;
  modelMap?: string;
  mainWallet?: string;
  audit: boolean;
  judgeModel?: string;
  pollMs?: string;
  graceMs?: string;
  payoutCheckMs?: string;
  coordinatorKey?: string;
  maxCallsPerTodo?: string;
  maxTokensPerTodo?: string;
  maxCostPerTodo?: string;
  maxCostPerDay?: string;
  maxTokensPerDay?: string;
  minReward?: string;
  swarmTypes?: string;
  exitWhenIdle?: string;
  check?: boolean;
}

function positiveInt(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`${name} must be an integer ${min}..${max}, got "${value}"`, 2);
  return n;
}

/** The per-todo spending limits: flags, else environment. */
function budgetFromFlags(flags: WorkerFlags, env: NodeJS.ProcessEnv): SwarmBudget {
  const source = (flag: string, variable: string, value: string | undefined) => ({ name: `${flag} / ${variable}`, text: value ?? env[variable] });
  return budgetFromLimits({
    calls: source('--max-calls-per-todo', 'SWARMTASK_MAX_CALLS_PER_TODO', flags.maxCallsPerTodo),
    tokens: source('--max-tokens-per-todo', 'SWARMTASK_MAX_TOKENS_PER_TODO', flags.maxTokensPerTodo),
    costUsd: source('--max-cost-per-todo', 'SWARMTASK_MAX_COST_PER_TODO', flags.maxCostPerTodo),
  });
}

/**
 * `swarmtask worker`: a worker node. The original's environment names work too:
 * MIDDLE_SERVER_URL, TASK_ID, GITHUB_USERNAME, GITHUB_TOKEN.
 */
export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run a worker node: claim todos, run swarms, prove and submit results, audit others')
    .option('--key <file>', 'staking keypair file (env SWARMTASK_KEY_FILE)')
    .option('--concurrency <n>', 'todos run at once (env SWARMTASK_CONCURRENCY, default 1)')
    .option('--github-user <name>', 'GitHub username (env GITHUB_USERNAME); with GITHUB_TOKEN, repository todos get a PR')
    .option('--status-port <port>', 'serve GET /health (JSON) and GET /metrics (Prometheus) on 127.0.0.1:<port>')
    .option('--model-map <map>', 'where agents\' models run (env SWARMTASK_MODEL_MAP, default "*=offline")')
    .option('--main-wallet <pubkey>', 'main wallet public key (base58), registered and put in records')
    .option('--max-calls-per-todo <n>', 'stop a todo after this many model calls (env SWARMTASK_MAX_CALLS_PER_TODO; default: no limit)')
    .option('--max-tokens-per-todo <n>', 'stop a todo past this many tokens, input + output (env SWARMTASK_MAX_TOKENS_PER_TODO)')
    .option('--max-cost-per-todo <usd>', 'stop a todo past this many US dollars at the price table\'s rates (env SWARMTASK_MAX_COST_PER_TODO)')
    .option('--max-cost-per-day <usd>', 'spend at most this many US dollars on models per rolling 24 h, then wait (env SWARMTASK_MAX_COST_PER_DAY)')
    .option('--max-tokens-per-day <n>', 'use at most this many tokens per rolling 24 h, then wait (env SWARMTASK_MAX_TOKENS_PER_DAY)')
    .option('--min-reward <swarms>', 'claim only todos paying at least this many SWARMS, e.g. 250 (env SWARMTASK_MIN_REWARD)')
    .option('--swarm-types <types>', 'claim only todos of these swarm types, comma-separated, e.g. ConcurrentWorkflow,MajorityVoting (env SWARMTASK_SWARM_TYPES)')
    .option('--exit-when-idle <duration>', 'stop (exit 0) once nothing was held, audited or left to submit for this long, e.g. 5m: work through the queue, then shut down')
    .option('--check', 'check the setup (coordinator, its signing key, stake, models, budgets, data dir), claim nothing, and exit (1 if something is wrong)')
    .option('--no-audit', 'do not take audit assignments')
    .option('--judge-model <model>', 'also ask this model for a verdict when auditing (off by default)')
    .option('--poll-ms <ms>', 'claim/audit poll interval besides the events (default 5000)')
    .option('--grace-ms <ms>', 'on SIGINT/SIGTERM, how long running work may finish before it is released (default 30000)')
    .option('--coordinator-key <key>', "the key the coordinator signs payout lists with (env SWARMTASK_COORDINATOR_KEY; default: pinned on first contact, kept in the data dir)")
    .option('--payout-check-ms <ms>', 'how often to verify the signed payout lists that pay this key (default 60000; 0: never)')
    .addHelpText(
      'after',
      '\nAlso: --server <url> (env SWARMTASK_SERVER_URL or MIDDLE_SERVER_URL; default http://127.0.0.1:$SWARMTASK_PORT or :8787), --task-id <id> (env TASK_ID; default: the coordinator\'s),\n' +
        '--data <dir> (the outbox; env SWARMTASK_WORKER_DATA, default ./worker-data), --json (event lines; the default when stdout is not a TTY).\n' +
        'GITHUB_TOKEN (and GITHUB_API_URL for GitHub Enterprise) enable PRs and PR checks in audits.',
    )
    .action(async (flags: WorkerFlags, cmd: Command) => {
      const options = globalOptions(cmd);
      const env = process.env;
      const keypair = readKeyFileOption(flags.key, 'the staking keypair of this worker');
      const serverUrl = coordinatorUrl(options.server, env);
      const concurrency = positiveInt(flags.concurrency ?? env.SWARMTASK_CONCURRENCY, '--concurrency', 1, 100) ?? 1;
      const statusPort = positiveInt(flags.statusPort, '--status-port', 0, 65535);
      const pollMs = positiveInt(flags.pollMs, '--poll-ms', 50, 3_600_000);
      const graceMs = positiveInt(flags.graceMs, '--grace-ms', 0, 3_600_000);
      const payoutCheckMs = positiveInt(flags.payoutCheckMs, '--payout-check-ms', 0, 86_400_000);
      const json = options.json === true || !process.stdout.isTTY;
      const budget = budgetFromFlags(flags, env);
      const perDay = budgetFromLimits({
        tokens: { name: '--max-tokens-per-day / SWARMTASK_MAX_TOKENS_PER_DAY', text: flags.maxTokensPerDay ?? env.SWARMTASK_MAX_TOKENS_PER_DAY },
        costUsd: { name: '--max-cost-per-day / SWARMTASK_MAX_COST_PER_DAY', text: flags.maxCostPerDay ?? env.SWARMTASK_MAX_COST_PER_DAY },
      });
      const exitWhenIdleMs = flags.exitWhenIdle === undefined ? undefined : parseDuration('--exit-when-idle', flags.exitWhenIdle);
      const claimFilter = claimFilterFromFlags({
        minReward: { name: '--min-reward / SWARMTASK_MIN_REWARD', text: flags.minReward ?? env.SWARMTASK_MIN_REWARD },
        swarmTypes: { name: '--swarm-types / SWARMTASK_SWARM_TYPES', text: flags.swarmTypes ?? env.SWARMTASK_SWARM_TYPES },
      });
      const coordinatorKey = flags.coordinatorKey ?? (env.SWARMTASK_COORDINATOR_KEY || undefined);
      if (coordinatorKey !== undefined && !StakingKeySchema.safeParse(coordinatorKey).success) {
        throw new CliError(`--coordinator-key / SWARMTASK_COORDINATOR_KEY must be a base58 Ed25519 public key, got "${coordinatorKey}"`, 2);
      }

      const spendLimit = Object.keys(perDay).length > 0 ? { maxCostUsd: perDay.maxCostUsd, maxTokens: perDay.maxTokens } : undefined;
      const dataDir = workerDataDir(options, env);
      const taskId = options.taskId ?? env.SWARMTASK_TASK_ID ?? env.TASK_ID;

      const { ModelMapSyntaxError, LlmConfigError } = await import('../../../server/swarms/index.js');
      /** A model map that does not parse, or names what cannot run, is a usage error (exit 2). */
      const asUsageError = (error: unknown): unknown =>
        error instanceof ModelMapSyntaxError || error instanceof LlmConfigError ? new CliError(`SWARMTASK_MODEL_MAP / --model-map: ${error.message}`, 2) : error;

      if (flags.check) {
        const { checkWorkerSetup, describeWorkerChecks } = await import('../worker-check.js');
        const { workerModelRegistry } = await import('../../worker/worker.js');
        let providers;
        try {
          providers = workerModelRegistry(env, flags.modelMap);
        } catch (error) {
          throw asUsageError(error);
        }
        const keyFile = flags.key ?? (env.SWARMTASK_KEY_FILE || undefined);
        const checks = await checkWorkerSetup({
          serverUrl,
          keypair,
          keyFile,
          taskId,
          dataDir,
          coordinatorKey,
          providers,
          budget,
          spendLimit,
          claimFilter,
        });
        const failed = checks.some((check) => check.status === 'fail');
        emit(options.json === true, { ok: !failed, checks }, () => describeWorkerChecks(checks));
        if (failed) process.exitCode = 1;
        return;
      }

      const { createWorker } = await import('../../worker/worker.js');
      const { describeWorkerEvent, eventJsonLine } = await import('../../worker/events.js');
      let worker;
      try {
        worker = createWorker({
          serverUrl,
          keypair,
          taskId,
          concurrency,
          dataDir,
          githubUsername: flags.githubUser ?? env.GITHUB_USERNAME,
          githubToken: env.GITHUB_TOKEN || undefined,
          githubApiUrl: env.GITHUB_API_URL || undefined,
          mainWalletKey: flags.mainWallet,
          coordinatorKey,
          budget,
          ...(spendLimit ? { spendLimit } : {}),
          claimFilter,
          exitWhenIdleMs,
          modelMap: flags.modelMap,
          audit: flags.audit,
          judgeModel: flags.judgeModel,
          statusPort,
          ...(pollMs !== undefined ? { pollIntervalMs: pollMs, auditPollMs: pollMs } : {}),
          ...(graceMs !== undefined ? { shutdownGraceMs: graceMs } : {}),
          ...(payoutCheckMs !== undefined ? { payoutCheckMs } : {}),
          onEvent: (event) => {
            if (json) process.stdout.write(`${eventJsonLine(event)}\n`);
            else {
              const line = describeWorkerEvent(event);
              if (line) process.stdout.write(`${new Date().toLocaleTimeString()}  ${line}\n`);
            }
            // Stopped by itself (--exit-when-idle): the process ends with it.
            if (event.type === 'stopped' && signals === 0) {
              clearInterval(keepAlive);
              process.exitCode = 0;
            }
          },
        });
      } catch (error) {
        if (error instanceof Error && /concurrency/.test(error.message)) throw new CliError(error.message, 2);
        throw asUsageError(error);
      }

      // Keeps the process alive between events; cleared when the worker has stopped.
      const keepAlive = setInterval(() => undefined, 1 << 30);
      let signals = 0;
      const onSignal = () => {
        signals += 1;
        if (signals > 1) {
          process.stderr.write('swarmtask worker: second signal, exiting now (leases expire on the coordinator)\n');
          process.exit(130);
        }
        void worker.stop().then(() => {
          clearInterval(keepAlive);
          process.exit(0);
        });
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);

      try {
        await worker.start();
      } catch (error) {
        clearInterval(keepAlive);
        throw new CliError(`worker could not start: ${(error as Error).message}`);
      }
      if (worker.statusUrl && !json) process.stdout.write(`status: ${worker.statusUrl}/health\n`);
    });
}
