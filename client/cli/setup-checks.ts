import { accessSync, constants } from 'node:fs';
import { existingAncestor } from '../../server/db/disk-room.js';
import { EXAMPLE_SWARM_SPEC } from '../../shared/swarm-spec.js';
import { EMBEDDED_DEFAULT_MODEL_MAP } from '../../server/llm/model-map.js';
import { LlmConfigError, type ProviderRegistry } from '../../server/swarms/index.js';

/**
 * The pieces `worker --check` and `server --check` share: a check's shape, how the lines are
 * printed, and the checks both sides make (the model map can run, a directory can be written).
 */
export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
}

/** Every rule's target, and the model the original example work item asks for: what the work will run on. */
export function modelTargets(providers: ProviderRegistry): string[] {
  return [...new Set([...providers.modelMap.map((rule) => rule.target), ...EXAMPLE_SWARM_SPEC.agents.map((agent) => agent.model_name)])];
}

/** Every provider the model map routes to has what it needs (its key). */
export function modelCheck(providers: ProviderRegistry): Check {
  const map = providers.describe().modelMap;
  const named = map === '' ? 'no model map (each model runs where its name says)' : `model map "${map}"`;
  for (const target of modelTargets(providers)) {
    try {
      providers.resolve(target);
    } catch (error) {
      if (error instanceof LlmConfigError) return { name: 'models', status: 'fail', detail: `${named}: ${error.message}` };
      throw error;
    }
  }
  return map === EMBEDDED_DEFAULT_MODEL_MAP
    ? { name: 'models', status: 'warn', detail: `${named}: the offline model writes placeholder answers (set --model-map / SWARMTASK_MODEL_MAP for real ones)` }
    : { name: 'models', status: 'ok', detail: `${named}: every provider it names has what it needs` };
}

/** Whether `dir` can be written (or created); `holds` says what lives there, for the message. */
export function writableDirCheck(dir: string, holds: string, present: string | null): Check {
  const existing = existingAncestor(dir);
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    return { name: 'data dir', status: 'fail', detail: `${dir} cannot be written (${existing} is not writable): ${holds} lives there` };
  }
  return { name: 'data dir', status: 'ok', detail: present ? `${dir} (${present})` : `${dir} (created at the first start)` };
}

/** One line per check: `ok    coordinator  http://… runs task …`, then the verdict. */
export function describeChecks(checks: Check[], subject: string, next: string): string {
  const width = Math.max(...checks.map((check) => check.name.length));
  const failed = checks.filter((check) => check.status === 'fail').length;
  return [
    ...checks.map((check) => `${check.status.padEnd(4)}  ${check.name.padEnd(width)}  ${check.detail}`),
    failed > 0 ? `${failed} ${failed === 1 ? 'check' : 'checks'} failed: ${subject} would not work as set up` : `ready: ${next}`,
  ].join('\n');
}
