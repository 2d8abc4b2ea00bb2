import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_SWARM_SPEC, SwarmSpecSchema } from '../shared/swarm-spec.js';
import { loadServerConfig } from '../server/config.js';
import { silentLogger } from '../server/logger.js';
import { openCore } from '../server/open-core.js';
import { claimTodos, createTodo, reportResults } from '../server/queue/index.js';
const spec = SwarmSpecSchema.parse(EXAMPLE_SWARM_SPEC);
const dir = mkdtempSync(join(tmpdir(), 'split-'));
const core = openCore(loadServerConfig({}, { dataDir: dir, taskId: 'T' }), silentLogger());
const N = 20000;
for (let d = 0; d < N; d += 500) core.sqlite.transaction(() => { for (let i = 0; i < 500; i++) createTodo(core, { spec, priority: 0 }); })();
const mode = process.argv[2] ?? 'split';
let claimT = 0n, reportT = 0n;
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
for (let i = 0; i < N; i++) {
  const a = process.hrtime.bigint();
  let claimed: ReturnType<typeof claimTodos>;
  let run = () => {
    claimed = claimTodos(core, { stakingKey: 'w', max: 1 });
  };
  if (mode === 'onetx') {
    core.sqlite.transaction(() => {
      claimed = claimTodos(core, { stakingKey: 'w', max: 1 });
      reportResults(core, { stakingKey: 'w' }, claimed.map((c) => ({ todoId: c.todoId, leaseToken: c.leaseToken, result: null })));
    }).immediate();
    continue;
  }
  run();
  const b = process.hrtime.bigint();
  reportResults(core, { stakingKey: 'w' }, claimed!.map((c) => ({ todoId: c.todoId, leaseToken: c.leaseToken, result: null })));
  const c = process.hrtime.bigint();
  claimT += b - a; reportT += c - b;
}
const wall = Number(process.hrtime.bigint() - t0) / 1000 / N;
const cpu = process.cpuUsage(cpu0);
console.log(mode, { wallUs: wall.toFixed(1), cpuUs: ((cpu.user + cpu.system) / N).toFixed(1), sysUs: (cpu.system / N).toFixed(1), claimUs: (Number(claimT) / 1000 / N).toFixed(1), reportUs: (Number(reportT) / 1000 / N).toFixed(1) });
