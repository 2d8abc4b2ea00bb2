import { openTestCore } from '../test/helpers/core.js';
import { claimTodos } from '../server/queue/index.js';
const core = openTestCore();
const prepare = core.sqlite.prepare.bind(core.sqlite);
let sql = '';
(core.sqlite as any).prepare = (s: string) => { if (s.includes('UPDATE todos SET status')) sql = s; return prepare(s); };
claimTodos(core, { stakingKey: 'p', max: 2, filter: { minReward: 1, swarmTypes: ['ConcurrentWorkflow'] } });
console.log(prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ now: 1, leaseExpiresAt: 1, stakingKey: 'p', github: null, minReward: 1, swarmTypes: '["x"]' }).map((r: any) => r.detail).join('\n'));
