import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadServerConfig } from '../server/config.js';
import { silentLogger } from '../server/logger.js';
import { openCore } from '../server/open-core.js';
import { claimTodos, createTodo, reportResults } from '../server/queue/index.js';
import { EXAMPLE_SWARM_SPEC, SwarmSpecSchema } from '../shared/swarm-spec.js';
const spec = SwarmSpecSchema.parse(EXAMPLE_SWARM_SPEC);
const dir = mkdtempSync(join(tmpdir(), 'prof-'));
const core = openCore(loadServerConfig({}, { dataDir: dir, taskId: 'b' }), silentLogger());
const N = 40000;
for (let d = 0; d < N; d += 500) core.sqlite.transaction(() => { for (let i = 0; i < 500; i++) createTodo(core, { spec, priority: 0 } as never); })();
let tc = 0, tr = 0, done = 0;
const t0 = performance.now();
for (;;) {
  const a = performance.now();
  const claimed = claimTodos(core, { stakingKey: 'bench-worker', max: 32 });
  const b = performance.now();
  if (claimed.length === 0) break;
  reportResults(core, { stakingKey: 'bench-worker' }, claimed.map((c) => ({ todoId: c.todoId, leaseToken: c.leaseToken, result: null })));
  tr += performance.now() - b; tc += b - a; done += claimed.length;
}
const total = performance.now() - t0;
console.log({ done, perSec: Math.round(done / total * 1000), claimUs: (tc * 1000 / done).toFixed(1), reportUs: (tr * 1000 / done).toFixed(1) });
