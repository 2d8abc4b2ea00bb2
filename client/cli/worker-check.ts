import { accessSync, constants, existsSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE_SWARM_SPEC } from '../../shared/swarm-spec.js';
import type { Keypair } from '../../shared/keypair.js';
import { formatSwarms } from '../../shared/swarms-units.js';
import { EMBEDDED_DEFAULT_MODEL_MAP } from '../../server/llm/model-map.js';
import { LlmConfigError, type ProviderRegistry, type SwarmBudget } from '../../server/swarms/index.js';
import { discoverCoordinator, type CoordinatorIdentity } from '../discover-task-id.js';
import { COORDINATOR_KEYS_FILE, CoordinatorKeyMismatchError, decideCoordinatorKey, readCoordinatorPins } from '../worker/coordinator-pin.js';
import { describeBudget } from '../worker/events.js';
import { describeSpendLimit, type SpendLimitOptions } from '../worker/spend-limit.js';
import { createWorkerClient } from '../worker-client.js';
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

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
}

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
  checks.push(await stakeCheck(input, taskId));
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

async function stakeCheck(input: WorkerCheckInput, taskId: string): Promise<Check> {
  const client = createWorkerClient({ url: input.serverUrl, keypair: input.keypair, taskId, transport: 'http' });
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
  } finally {
    await client.close();
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

/** Every rule's target, and the model the original example work item asks for: what this node's work will run on. */
function modelTargets(providers: ProviderRegistry): string[] {
  return [...new Set([...providers.modelMap.map((rule) => rule.target), ...EXAMPLE_SWARM_SPEC.agents.map((agent) => agent.model_name)])];
}

function modelCheck(providers: ProviderRegistry): Check {
  const map = providers.describe().modelMap;
  for (const target of modelTargets(providers)) {
    try {
      providers.resolve(target);
    } catch (error) {
      if (error instanceof LlmConfigError) return { name: 'models', status: 'fail', detail: `model map "${map}": ${error.message}` };
      throw error;
    }
  }
  return map === EMBEDDED_DEFAULT_MODEL_MAP
    ? { name: 'models', status: 'warn', detail: `model map "${map}": the offline model writes placeholder answers (set --model-map / SWARMTASK_MODEL_MAP for real ones)` }
    : { name: 'models', status: 'ok', detail: `model map "${map}": every provider it names has what it needs` };
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
  let existing = dataDir;
  while (!existsSync(existing)) existing = join(existing, '..');
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    return { name: 'data dir', status: 'fail', detail: `${dataDir} cannot be written (${existing} is not writable): the outbox lives there` };
  }
  return { name: 'data dir', status: 'ok', detail: existsSync(join(dataDir, WORKER_DB_FILE)) ? `${dataDir} (outbox present: swarmtask outbox)` : `${dataDir} (created at the first start)` };
}

/** One line per check: `ok    coordinator  http://… runs task …`. */
export function describeChecks(checks: Check[]): string {
  const width = Math.max(...checks.map((check) => check.name.length));
  const failed = checks.filter((check) => check.status === 'fail').length;
  return [
    ...checks.map((check) => `${check.status.padEnd(4)}  ${check.name.padEnd(width)}  ${check.detail}`),
    failed > 0 ? `${failed} ${failed === 1 ? 'check' : 'checks'} failed: the worker would not work as set up` : 'ready: start the worker without --check',
  ].join('\n');
}
