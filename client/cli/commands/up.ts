import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { generateKeypair, readKeypairFile, writeKeypairFile, type Keypair } from '../../../shared/keypair.js';
import { SwarmSpecSchema } from '../../../shared/swarm-spec.js';
import { DEMO_WORK } from '../demo-work.js';
import { describeEvent } from '../progress.js';
import { cliEntryArgs } from '../cli-entry.js';
import { withoutUnknownVariables } from '../environment.js';
import { globalOptions, serverConfigFrom } from '../context.js';
import { startCoordinatorForCli } from '../start-coordinator.js';


interface UpFlags {
  port?: string;
  workers: string;
  roundMs: string;
  demo: boolean;
}

/**
 * `swarmtask up` (what `npm start` runs): a coordinator on embedded defaults (SQLite file,
 * embedded IPFS, offline model, 15 s rounds), three local worker processes with fresh staked
 * keys, the original example work item and a few more, and a live account of what happens.
 */
export function registerUpCommand(program: Command): void {
  program
    .command('up')
    .description('coordinator + local workers on embedded defaults, with demo work (what `npm start` runs)')
    .option('-p, --port <port>', 'port (env SWARMTASK_PORT, default 8787)')
    .option('--workers <n>', 'local worker processes', '3')
    .option('--round-ms <ms>', 'round length', '15000')
    .option('--no-demo', 'do not enqueue the demo work')
    .action(async (flags: UpFlags, cmd: Command) => {
      const options = globalOptions(cmd);
      const config = serverConfigFrom(options, {
        port: flags.port as unknown as number,
        roundMs: Number(flags.roundMs),
        auditTimeoutMs: Math.max(5_000, Number(flags.roundMs)),
        leaseMs: 30_000,
        modelMap: process.env.SWARMTASK_MODEL_MAP || '*=offline', // empty counts as unset
        logLevel: (options.logLevel as 'warn' | undefined) ?? 'warn',
      });
      const { createLogger } = await import('../../../server/logger.js');
      const { setStake } = await import('../../../server/auth/workers.js');
      const { createTodo } = await import('../../../server/queue/index.js');
      const { streamEvents } = await import('../../../server/events/stream-events.js');

      const say = (line: string) => process.stdout.write(`${new Date().toLocaleTimeString()}  ${line}\n`);
      const coordinator = await startCoordinatorForCli(config, createLogger({ level: config.logLevel, file: config.logFile, reopenFileOn: 'SIGHUP' }));
      const { core } = coordinator;
      say(`coordinator on ${coordinator.url}  (data ${resolve(config.dataDir)}, model map "${config.modelMap}", rounds of ${config.roundMs / 1000} s)`);
      say(`dashboard ${coordinator.url}/  ·  health ${coordinator.url}/healthz/  ·  Ctrl-C stops everything`);

      const count = Math.max(1, Number(flags.workers));
      const names = new Map<string, string>();
      const keys: { name: string; file: string; keypair: Keypair }[] = [];
      for (let i = 1; i <= count; i++) {
        const file = resolve(config.dataDir, 'local-workers', `worker-${i}.json`);
        if (!existsSync(file)) writeKeypairFile(file, generateKeypair());
        const keypair = readKeypairFile(file);
        setStake(core, keypair.publicKeyBase58, Math.max(core.auth.minStake, 1_000_000_000));
        names.set(keypair.publicKeyBase58, `worker-${i}`);
        keys.push({ name: `worker-${i}`, file, keypair });
      }

      const abort = new AbortController();
      // The demo work is announced with its names below; its "queued" events would repeat that.
      const enqueuedHere = new Set<number>();
      let verifyShown = false;
      void (async () => {
        for await (const event of streamEvents({ sqlite: core.sqlite, bus: core.bus, afterId: core.bus.latestId, signal: abort.signal })) {
          if (event.type === 'todo.created' && event.todoId !== null && enqueuedHere.has(event.todoId)) continue;
          const line = describeEvent(event, names);
          if (line) say(line);
          // Once, with the first list that pays: how a node runner checks it without trusting us.
          const paid = event.data as { cid?: string; total?: number } | null;
          if (event.type === 'round.distribution' && !verifyShown && paid?.cid && Number(paid.total) > 0) {
            verifyShown = true;
            say(`check it as a node runner would (no API key): npx swarmtask round verify ${paid.cid} --server ${coordinator.url} --key ${keys[0]!.file}`);
          }
        }
      })().catch(() => undefined);

      const children: ChildProcess[] = keys.map(({ name, file }) => {
        const dataDir = resolve(config.dataDir, 'local-workers', name);
        mkdirSync(dataDir, { recursive: true });
        const child = spawn(
          process.execPath,
          [...cliEntryArgs(), 'worker', '--server', coordinator.url, '--key', file, '--task-id', config.taskId, '--data', dataDir, '--github-user', name, '--json'],
          { stdio: ['ignore', 'pipe', 'pipe'], env: { ...withoutUnknownVariables(process.env), SWARMTASK_MODEL_MAP: config.modelMap ?? '*=offline' } },
        );
        createInterface({ input: child.stderr! }).on('line', (line) => say(`${name}: ${line}`));
        createInterface({ input: child.stdout! }).on('line', () => undefined); // the coordinator's events tell the story
        child.on('exit', (code, signal) => {
          if (!abort.signal.aborted) say(`${name} exited (${signal ?? code})`);
        });
        return child;
      });
      say(`started ${children.length} local workers: ${keys.map((k) => `${k.name} ${k.keypair.publicKeyBase58.slice(0, 8)}…`).join(', ')}`);

      if (flags.demo) {
        for (const spec of DEMO_WORK) {
          const { todo } = createTodo(core, { spec: SwarmSpecSchema.parse(spec), priority: 0 });
          enqueuedHere.add(todo.id);
          say(`enqueued todo ${todo.id}: ${todo.spec.name} (${todo.spec.swarm_type})`);
        }
        say('watch them go: claim → swarm → proof on IPFS → submit → audit in the next round → payout after it');
      }

      const stop = async () => {
        abort.abort();
        say('stopping workers…');
        await Promise.all(
          children.map(
            (child) =>
              new Promise<void>((done) => {
                if (child.exitCode !== null) return done();
                child.once('exit', () => done());
                child.kill('SIGTERM');
                setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
              }),
          ),
        );
        await coordinator.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
