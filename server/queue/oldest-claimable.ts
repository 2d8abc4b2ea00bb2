import { cachedStatement } from '../db/statements.js';
import type { Core } from '../core.js';

/**
 * When the longest-waiting claimable todo became claimable (null when none waits): how far
 * behind the workers are, the number to alert on. Scheduled todos not yet due do not count.
 */
export function oldestClaimableAt(core: Pick<Core, 'sqlite'>, now = Date.now()): number | null {
  const row = cachedStatement(core.sqlite, "SELECT min(available_at) AS at FROM todos WHERE status = 'initialized' AND available_at <= ?").get(now) as {
    at: number | null;
  };
  return row.at;
}
