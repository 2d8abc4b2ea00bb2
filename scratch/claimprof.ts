import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadServerConfig } from '../server/config.js';
import { silentLogger } from '../server/logger.js';
import { openCore } from '../server/open-core.js';
import { createTodo, reportResults } from '../server/queue/index.js';
import { EXAMPLE_SWARM_SPEC, SwarmSpecSchema } from '../shared/swarm-spec.js';
import { cachedStatement } from '../server/db/statements.js';
const spec = SwarmSpecSchema.parse(EXAMPLE_SWARM_SPEC);
const dir = mkdtempSync(join(tmpdir(), 'prof-'));
const core = openCore(loadServerConfig({}, { dataDir: dir, taskId: 'b' }), silentLogger());
const N = 40000; if (process.env.NOTRIG) { for (const r of core.sqlite.prepare("SELECT name FROM sqlite_master WHERE type='trigger'").all() as any[]) core.sqlite.exec('DROP TRIGGER ' + r.name); } if (process.env.NOCKPT) core.sqlite.pragma('wal_autocheckpoint = 0'); if (process.env.PAGES) core.sqlite.pragma('cache_size = -262144');
for (let d = 0; d < N; d += 500) core.sqlite.transaction(() => { for (let i = 0; i < 500; i++) createTodo(core, { spec, priority: 0 } as never); })();
const claimSql = `
  UPDATE todos SET status = 'in_progress', lease_token = lower(hex(randomblob(18))), lease_expires_at = @leaseExpiresAt,
    holder_key = @stakingKey, attempts = attempts + 1, updated_at = @now
  WHERE id IN (
    SELECT id FROM todos t
    WHERE status = 'initialized' AND available_at <= @now
      AND NOT EXISTS (
        SELECT 1 FROM assignments a
        WHERE a.todo_id = t.id AND a.outcome != 'released'
          AND (a.staking_key = @stakingKey OR (@github IS NOT NULL AND lower(a.github_username) = lower(@github))))
    ORDER BY priority DESC, available_at, id
    LIMIT 32)
  RETURNING id, lease_token, attempts, repo_owner, repo_name, bounty_id, reward, priority, available_at`;
const RECORD_ASSIGNMENTS = `
  INSERT INTO assignments (todo_id, staking_key, github_username, lease_token, claimed_at, lease_expires_at, outcome)
  SELECT value ->> 0, @stakingKey, @github, value ->> 1, @now, @leaseExpiresAt, 'active' FROM jsonb_each(@claims)`;
const READ_SPECS = 'SELECT todo_id, spec FROM todo_specs WHERE todo_id IN (SELECT value ->> 0 FROM jsonb_each(?))';
const RECORD_EVENTS = `
  INSERT INTO events (type, todo_id, data, created_at)
  SELECT 'todo.claimed', value ->> 0, json_object('stakingKey', @stakingKey, 'attempt', value ->> 2), @now FROM jsonb_each(@claims)`;
const t = { upd: 0, asg: 0, ev: 0, spec: 0, parse: 0, commit: 0, report: 0 };
let done = 0;
for (;;) {
  const now = Date.now();
  const params = { now, leaseExpiresAt: now + 60000, stakingKey: 'bench-worker', github: null };
  let a = performance.now();
  core.sqlite.exec('BEGIN IMMEDIATE');
  const claimed = cachedStatement(core.sqlite, claimSql).all(params) as any[];
  let b = performance.now(); t.upd += b - a; a = b;
  if (claimed.length === 0) { core.sqlite.exec('COMMIT'); break; }
  const claims = JSON.stringify(claimed.map((row) => [row.id, row.lease_token, row.attempts]));
  cachedStatement(core.sqlite, RECORD_ASSIGNMENTS).run({ ...params, claims });
  b = performance.now(); t.asg += b - a; a = b;
  cachedStatement(core.sqlite, RECORD_EVENTS).run({ ...params, claims });
  b = performance.now(); t.ev += b - a; a = b;
  const rows = cachedStatement(core.sqlite, READ_SPECS).all(claims) as any[];
  b = performance.now(); t.spec += b - a; a = b;
  core.sqlite.exec('COMMIT');
  b = performance.now(); t.commit += b - a; a = b;
  const specs = rows.map((r) => JSON.parse(r.spec));
  b = performance.now(); t.parse += b - a; a = b;
  reportResults(core, { stakingKey: 'bench-worker' }, claimed.map((c) => ({ todoId: c.id, leaseToken: c.lease_token, result: null })));
  b = performance.now(); t.report += b - a;
  done += claimed.length;
}
console.log(done, Object.fromEntries(Object.entries(t).map(([k, v]) => [k, (v * 1000 / done).toFixed(2)])));
import { statSync } from 'node:fs';
console.log('wal bytes', statSync(join(dir, 'swarmtask.db-wal')).size, 'pages/commit', statSync(join(dir, 'swarmtask.db-wal')).size / 4120 / (2 * done / 32), 'page_size', core.sqlite.pragma('page_size', { simple: true }));
