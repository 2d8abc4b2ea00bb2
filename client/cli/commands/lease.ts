import type { Command } from 'commander';
import { globalOptions } from '../context.js';
import { keyOption, withWorker, type KeyFlags } from '../worker-call.js';
import { CliError, emit, table } from '../output.js';
import { formatSwarms } from '../../../shared/swarms-units.js';
import { DEFAULT_SWARM_TYPE } from '../../../shared/swarm-spec.js';
import { claimFilterFromFlags } from '../claim-filter-flags.js';

const parseJson = (text: string | undefined, name: string): unknown => {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`${name} must be JSON`, 2);
  }
};

export function registerLeaseCommands(program: Command): void {
  keyOption(program.command('register').description('register a staking key with the coordinator'))
    .option('--github-user <name>', 'GitHub username (env GITHUB_USERNAME)')
    .option('--main-wallet <pubkey>', 'main wallet public key (base58)')
    .action(async (flags: KeyFlags & { githubUser?: string; mainWallet?: string }, cmd: Command) => {
      const options = globalOptions(cmd);
      const githubUsername = flags.githubUser ?? process.env.GITHUB_USERNAME;
      const { worker, minStake } = await withWorker(options, flags, async (c) => ({
        worker: await c.workers.register({ ...(githubUsername ? { githubUsername } : {}), ...(flags.mainWallet ? { mainWalletKey: flags.mainWallet } : {}) }),
        minStake: (await c.trpc.health.check.query()).minStake,
      }));
      emit(options.json === true, worker, () =>
        worker.stake >= minStake
          ? `registered ${worker.stakingKey} (stake ${formatSwarms(worker.stake)})`
          : `registered ${worker.stakingKey} (stake ${formatSwarms(worker.stake)}; it needs ${formatSwarms(minStake)} before it gets work: ` +
            `the coordinator's operator runs swarmtask stake set ${worker.stakingKey} ${minStake})`,
      );
    });

  const lease = program.command('lease').description('claim and finish todos by hand, as a worker');
  keyOption(lease.command('claim').description('claim up to --max todos'))
    .option('--max <n>', 'how many (1-100, default 1)', '1')
    .option('--min-reward <swarms>', 'only todos paying at least this many SWARMS')
    .option('--swarm-types <types>', 'only todos of these swarm types (comma-separated)')
    .action(async (flags: KeyFlags & { max: string; minReward?: string; swarmTypes?: string }, cmd: Command) => {
      const options = globalOptions(cmd);
      const filter = claimFilterFromFlags({ minReward: { name: '--min-reward', text: flags.minReward }, swarmTypes: { name: '--swarm-types', text: flags.swarmTypes } });
      const claimed = await withWorker(options, flags, (c) => c.todos.claim({ max: Number(flags.max), ...filter }));
      emit(options.json === true, claimed, () =>
        claimed.length === 0
          ? 'nothing to claim'
          : table(
              claimed.map((t) => ({ todoId: t.todoId, leaseToken: t.leaseToken, expires: t.leaseExpiresAt, type: t.spec.swarm_type ?? DEFAULT_SWARM_TYPE, reward: formatSwarms(t.reward), task: t.spec.task.slice(0, 50) })),
              ['todoId', 'leaseToken', 'expires', 'type', 'reward', 'task'],
            ),
      );
    });
  keyOption(lease.command('complete <todoId> <leaseToken>').description('report the result of a claimed todo'))
    .option('--result <json>', 'the result as JSON')
    .option('--pr-url <url>', 'pull request carrying the work')
    .action(async (todoId: string, leaseToken: string, flags: KeyFlags & { result?: string; prUrl?: string }, cmd: Command) => {
      const options = globalOptions(cmd);
      const [outcome] = await withWorker(options, flags, (c) =>
        c.todos.reportResults({
          results: [{ todoId: Number(todoId), leaseToken, result: parseJson(flags.result, '--result'), ...(flags.prUrl ? { prUrl: flags.prUrl } : {}) }],
        }),
      );
      emit(options.json === true, outcome, () => (outcome?.ok ? `todo ${todoId} submitted` : `lease on todo ${todoId} was lost`));
      if (!outcome?.ok) process.exitCode = 1;
    });
  keyOption(lease.command('heartbeat <todoId> <leaseToken>').description('extend the lease while you work on a todo (by hand that can take longer than a lease)')).action(
    async (todoId: string, leaseToken: string, flags: KeyFlags, cmd: Command) => {
      const options = globalOptions(cmd);
      const [outcome] = await withWorker(options, flags, (c) => c.todos.heartbeat({ leases: [{ todoId: Number(todoId), leaseToken }] }));
      emit(options.json === true, outcome, () =>
        outcome?.ok && outcome.leaseExpiresAt !== undefined
          ? `todo ${todoId} is yours until ${new Date(outcome.leaseExpiresAt).toISOString()}`
          : `lease on todo ${todoId} was lost`,
      );
      if (!outcome?.ok) process.exitCode = 1;
    },
  );
  keyOption(lease.command('fail <todoId> <leaseToken>').description('give a todo back as failed'))
    .requiredOption('--error <message>', 'what went wrong')
    .action(async (todoId: string, leaseToken: string, flags: KeyFlags & { error: string }, cmd: Command) => {
      const options = globalOptions(cmd);
      const [outcome] = await withWorker(options, flags, (c) =>
        c.todos.reportFailures({ failures: [{ todoId: Number(todoId), leaseToken, error: flags.error }] }),
      );
      emit(options.json === true, outcome, () =>
        !outcome?.ok
          ? `lease on todo ${todoId} was lost`
          : outcome.status === 'failed'
            ? `todo ${todoId} failed: that was its last attempt (swarmtask todo redrive ${todoId} queues it again)`
            : `todo ${todoId} returned to the queue`,
      );
      if (!outcome?.ok) process.exitCode = 1;
    });
  keyOption(lease.command('release <todoId> <leaseToken>').description('hand a todo back unstarted (no attempt counted)')).action(
    async (todoId: string, leaseToken: string, flags: KeyFlags, cmd: Command) => {
      const options = globalOptions(cmd);
      const [outcome] = await withWorker(options, flags, (c) => c.todos.release({ leases: [{ todoId: Number(todoId), leaseToken }] }));
      emit(options.json === true, outcome, () => (outcome?.ok ? `todo ${todoId} released` : `lease on todo ${todoId} was lost`));
      if (!outcome?.ok) process.exitCode = 1;
    },
  );
  keyOption(
    lease
      .command('decline <todoId> <leaseToken>')
      .description('say this key will not do the todo (no attempt counted; it is never offered to this key again)'),
  )
    .requiredOption('--reason <text>', 'why, for the operator (e.g. "needs a model this node does not run")')
    .action(async (todoId: string, leaseToken: string, flags: KeyFlags & { reason: string }, cmd: Command) => {
      const options = globalOptions(cmd);
      const [outcome] = await withWorker(options, flags, (c) => c.todos.decline({ declines: [{ todoId: Number(todoId), leaseToken, reason: flags.reason }] }));
      emit(options.json === true, outcome, () => (outcome?.ok ? `todo ${todoId} declined: back in the queue for another node` : `lease on todo ${todoId} was lost`));
      if (!outcome?.ok) process.exitCode = 1;
    });
}
