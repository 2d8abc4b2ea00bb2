import { cachedStatement } from '../db/statements.js';
import type { Core } from '../core.js';

export interface SwarmRunLog {
  id: string;
  kind: string;
  swarm_name: string | null;
  swarm_type: string | null;
  status: string;
  cached: boolean;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  execution_ms: number | null;
  error: string | null;
  created_at: string;
}

/** A key's runs, newest first (the `/v1/swarm/logs` listing; never another key's). */
export function listSwarmRuns(core: Pick<Core, 'sqlite'>, apiKeyId: string, limit = 100): SwarmRunLog[] {
  const rows = cachedStatement(
    core.sqlite,
    `SELECT id, kind, swarm_name, swarm_type, status, cached, input_tokens, output_tokens, cost_micro_usd, execution_ms, error, created_at
     FROM swarm_runs WHERE api_key_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?`,
  ).all(apiKeyId, limit) as (Omit<SwarmRunLog, 'cached' | 'cost_usd' | 'created_at'> & { cached: number; cost_micro_usd: number; created_at: number })[];
  return rows.map(({ cost_micro_usd, cached, created_at, ...row }) => ({
    ...row,
    cached: cached === 1,
    cost_usd: cost_micro_usd / 1e6,
    created_at: new Date(created_at).toISOString(),
  }));
}
