import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Keypair } from '../../shared/keypair.js';
import { formatSwarms } from '../../shared/swarms-units.js';
import type { ProviderRegistry, SwarmBudget } from '../../server/swarms/index.js';
import { describeChecks, modelCheck, modelTargets, writableDirCheck, type Check } from './setup-checks.js';
import { discoverCoordinator, type CoordinatorIdentity } from '../discover-task-id.js';
import { COORDINATOR_KEYS_FILE, CoordinatorKeyMismatchError, decideCoordinatorKey, readCoordinatorPins } from '../worker/coordinator-pin.js';
import { describeBudget, describeClockOffset } from '../worker/events.js';
import { describeSpendLimit, type SpendLimitOptions } from '../worker/spend-limit.js';
import { createWorkerClient, type WorkerClient } from '../worker-client.js';
import { describeError } from '../worker/rpc.js';
import { WORKER_DB_FILE } from '../worker/worker-db.js';
import { describeClaimFilter } from '../worker/claim-filter.js';
import type { ClaimFilter } from '../../shared/todo-schemas.js';

/**
 * `swarmtask worker --check`: what a node runner wants to know before leaving a worker running,
 * checked the way the worker itself will do it, and nothing claimed or written: the coordinator
 * answers, its signing key matches the pin, the key is registered and staked, every provider the
 * model map sends work to has its key, the data dir is writable.
 */

export interface WorkerCheckInput {
  serverUrl: string;
  keypair: Keypair;
  keyFile: string | undefined;
  taskId: string | undefined;
  dataDir: string;
  coordinatorKey: string | undefined;
  providers: ProviderRegistry;
  budget: SwarmBudget;
  spendLimit: SpendLimitOptions | undefined;
  claimFilter?: ClaimFilter | undefined;
}

export async function checkWorkerSetup(input: WorkerCheckInput): Promise<Check[]> {
  const checks: Check[] = [
    { name: 'key', status: 'ok', detail: `staking key ${input.keypair.publicKeyBase58}${input.keyFile ? ` (${input.keyFile})` : ''}` },
  ];
  let identity: CoordinatorIdentity;
  try {
    identity = await discoverCoordinator(input.serverUrl);
  } catch (error) {
    checks.push({ name: 'coordinator', status: 'fail', detail: `${input.serverUrl} does not answer: ${describeError(error)}` });
    return [...checks, ...localChecks(input)];
  }
  const taskId = input.taskId ?? identity.taskId;
  checks.push(
    input.taskId !== undefined && input.taskId !== identity.taskId
      ? { name: 'coordinator', status: 'fail', detail: `${input.serverUrl} runs task ${identity.taskId}, not ${input.taskId} (--task-id / TASK_ID): its calls would all be refused` }
      : { name: 'coordinator', status: 'ok', detail: `${input.serverUrl} runs task ${identity.taskId}` },
  );
  checks.push(signingKeyCheck(input, taskId, identity));
  const client = createWorkerClient({ url: input.serverUrl, keypair: input.keypair, taskId, transport: 'http' });
  try {
    checks.push(await stakeCheck(input, client));
    if (client.clock.offsetMs !== 0) checks.push(clockCheck(client.clock.offsetMs));
  } finally {
    await client.close();
  }
  return [...checks, ...localChecks(input)];
}

function signingKeyCheck(input: WorkerCheckInput, taskId: string, identity: CoordinatorIdentity): Check {
  const file = join(input.dataDir, COORDINATOR_KEYS_FILE);
  try {
    const pinned = readCoordinatorPins(input.dataDir)[taskId];
    const decision = decideCoordinatorKey({ taskId, pinned, announced: identity.coordinatorKey, given: input.coordinatorKey, file });
    if (decision.key === null) return { name: 'signing key', status: 'warn', detail: 'the coordinator does not announce the key that signs its payout lists (an older release): payouts cannot be checked' };
    if (decision.write === undefined) return { name: 'signing key', status: 'ok', detail: `payout lists signed by ${decision.key}, as pinned (${pinned?.source ?? 'operator'}, ${pinned?.pinnedAt ?? 'now'})` };
    return {
      name: 'signing key',
      status: 'ok',
      detail: `payout lists signed by ${decision.key}; pinned in ${file} at the first start${decision.write.previous ? ` (replacing ${decision.write.previous})` : ''}`,
    };
  } catch (error) {
    if (error instanceof CoordinatorKeyMismatchError) return { name: 'signing key', status: 'fail', detail: error.message };
    return { name: 'signing key', status: 'fail', detail: (error as Error).message };
  }
}

/** The signed call of the stake check was refused for its timestamp first: the worker copes, the machine should not need it to. */
function clockCheck(offsetMs: number): Check {
  return {
    name: 'clock',
    status: 'warn',
    detail: `${describeClockOffset(offsetMs)}: the worker signs with the coordinator's time, but set this machine to keep time (timedatectl set-ntp true)`,
  };
}

async function stakeCheck(input: WorkerCheckInput, client: WorkerClient): Promise<Check> {
  try {
    const earnings = await client.call('workers.earnings', { rounds: 1 });
    if (!earnings.registered) {
      return { name: 'stake', status: 'warn', detail: 'not registered yet: the worker registers itself when it starts' };
    }
    if (earnings.stake < earnings.minStake) {
      return {
        name: 'stake',
        status: 'warn',
        detail:
          `stake ${formatSwarms(earnings.stake)}, below the coordinator's minimum of ${formatSwarms(earnings.minStake)}: it will wait for it; ` +
          `its operator runs swarmtask stake set ${input.keypair.publicKeyBase58} ${earnings.minStake}`,
      };
    }
    return { name: 'stake', status: 'ok', detail: `registered, stake ${formatSwarms(earnings.stake)} (minimum ${formatSwarms(earnings.minStake)}), balance ${formatSwarms(earnings.balance)}` };
  } catch (error) {
    return { name: 'stake', status: 'fail', detail: `the coordinator refused a signed call: ${describeError(error)}` };
  }
}

/** What can be checked without the coordinator: models, budgets, the work it takes, the data dir. */
function localChecks(input: WorkerCheckInput): Check[] {
  return [
    modelCheck(input.providers),
    budgetCheck(input),
    { name: 'work', status: 'ok', detail: `claims ${describeClaimFilter(input.claimFilter)}` },
    dataDirCheck(input.dataDir),
  ];
}

function budgetCheck(input: WorkerCheckInput): Check {
  const parts = [
    ...(Object.keys(input.budget).length > 0 ? [`per todo at most ${describeBudget(input.budget)}`] : []),
    ...(input.spendLimit ? [`at most ${describeSpendLimit(input.spendLimit)}`] : []),
  ];
  if (input.budget.maxCostUsd !== undefined || input.spendLimit?.maxCostUsd !== undefined) {
    // A dollar limit counts calls at the price table's rates: a model without a price slips past it.
    const unpriced = [...new Set(modelTargets(input.providers).flatMap((target) => unpricedRoute(input.providers, target) ?? []))];
    if (unpriced.length > 0) {
      return {
        name: 'budgets',
        status: 'warn',
        detail: `${parts.join('; ')}; but ${unpriced.join(', ')} ${unpriced.length === 1 ? 'has' : 'have'} no price in the price table, so dollar limits do not count ${unpriced.length === 1 ? 'it' : 'them'}: add a token limit`,
      };
    }
  }
  return parts.length > 0
    ? { name: 'budgets', status: 'ok', detail: parts.join('; ') }
    : { name: 'budgets', status: 'ok', detail: 'none: this node pays for whatever model calls a todo makes (--max-cost-per-todo, --max-cost-per-day)' };
}

/** `provider/model` where `model` ends up, when the price table has no price for it (local providers are free). */
function unpricedRoute(providers: ProviderRegistry, model: string): string | undefined {
  try {
    const resolved = providers.resolve(model);
    return providers.costOf(resolved, { inputTokens: 1, outputTokens: 1 }).priced ? undefined : `${resolved.providerId}/${resolved.model}`;
  } catch {
    return undefined; // a model that cannot run is the models check's failure, not this one's
  }
}

function dataDirCheck(dataDir: string): Check {
  return writableDirCheck(dataDir, 'the outbox', existsSync(join(dataDir, WORKER_DB_FILE)) ? 'outbox present: swarmtask outbox' : null);
}

/** The checks as lines, and whether the worker can start. */
export function describeWorkerChecks(checks: Check[]): string {
  return describeChecks(checks, 'the worker', 'start the worker without --check');
}
