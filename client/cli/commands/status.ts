import type { Command } from 'commander';
import { adminTarget, globalOptions, withAdmin } from '../context.js';
import { emit } from '../output.js';
import { describeStatus, type CoordinatorStatus } from '../status-view.js';

/** The reason code of a domain error, from either face (a local TRPCError's cause, or a remote error's data). */
function reasonOf(error: unknown): unknown {
  const e = error as { cause?: { reason?: unknown }; data?: { reason?: unknown } };
  return e.data?.reason ?? e.cause?.reason;
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('the coordinator at a glance: running or not, todos by status, workers, the current round, the last tally and its payout')
    .action(async (_: unknown, cmd: Command) => {
      const options = globalOptions(cmd);
      const target = adminTarget(options);
      const status = await withAdmin(options, async (api): Promise<CoordinatorStatus> => {
        const [health, todos, oldest, queue, workers, round, webhook, storage] = await Promise.all([
          api.health(),
          api.todoCounts(),
          api.oldestClaimable(),
          api.queueState(),
          api.workerSummary(),
          api.currentRound(),
          api.webhookState(),
          api.storeRoom(),
        ]);
        const lastTallied = await api.roundDetail().catch((error: unknown) => {
          if (reasonOf(error) === 'ROUND_NOT_FOUND') return null;
          throw error;
        });
        let source: CoordinatorStatus['source'];
        if ('serverUrl' in target) source = target;
        else {
          const { runningCoordinator } = await import('../../../server/db/data-dir-lock.js');
          source = { dataDir: target.dataDir, runningCoordinator: runningCoordinator(target.dataDir) };
        }
        return {
          source,
          taskId: health.taskId,
          minStake: health.minStake,
          todos,
          oldestClaimableWaitMs: oldest.availableAt === null ? null : oldest.now - oldest.availableAt,
          claimsPaused: queue.claimsPaused,
          workers,
          round: { number: round.number, endsAt: round.endsAt, roundMs: round.roundMs },
          lastTalliedRound: lastTallied && {
            number: lastTallied.number,
            total: Object.values(lastTallied.distribution).reduce((sum, amount) => sum + amount, 0),
            keys: Object.keys(lastTallied.distribution).length,
            distributionCid: lastTallied.distributionCid,
          },
          webhook,
          storage,
        };
      });
      emit(options.json === true, status, () => describeStatus(status));
    });
}
