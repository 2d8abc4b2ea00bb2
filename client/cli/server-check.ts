import { existsSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import type { ServerConfig } from '../../server/config.js';
import { databaseFile } from '../../server/config.js';
import { runningCoordinator } from '../../server/db/data-dir-lock.js';
import { migrationStatus } from '../../server/db/open.js';
import { openSqlite } from '../../server/db/sqlite.js';
import type { ProviderRegistry } from '../../server/swarms/index.js';
import { readWebhookState } from '../../server/webhooks/webhook-state.js';
import { diskRoom } from '../../server/db/disk-room.js';
import { formatBytes } from '../../shared/format-bytes.js';
import { describeChecks, modelCheck, writableDirCheck, type Check } from './setup-checks.js';

/**
 * `swarmtask server --check`: what an operator wants to know before starting (or upgrading) a
 * coordinator, read without changing anything: the data dir can be written, the store is whole
 * and which migrations the start will apply, the port is free, the disk has room, the signing key
 * is private, the swarm API's models can run, the webhook.
 */
export async function checkServerSetup(config: ServerConfig, providers: ProviderRegistry): Promise<Check[]> {
  const dataDir = resolve(config.dataDir);
  const running = existsSync(dataDir) ? runningCoordinator(dataDir) : null;
  const checks: Check[] = [
    { name: 'config', status: 'ok', detail: `task ${config.taskId}, ${config.host}:${config.port}, synchronous=${config.synchronous}, ${config.roundMs / 1000} s rounds` },
    writableDirCheck(dataDir, 'the store', existsSync(databaseFile(config)) ? 'store present' : null),
    storeCheck(databaseFile(config)),
  ];
  if (running) {
    checks.push({
      name: 'running',
      status: 'warn',
      detail: `a coordinator serves this data dir (pid ${running.pid}${running.url ? `, ${running.url}` : ''}, since ${running.startedAt}): another one here would be refused`,
    });
  } else {
    checks.push(await portCheck(config.host, config.port));
  }
  checks.push(diskCheck(dataDir, databaseFile(config)), signingKeyCheck(dataDir), swarmApiModelCheck(providers));
  if (config.webhookUrl) checks.push(webhookCheck(config));
  return checks;
}

export function describeServerChecks(checks: Check[]): string {
  return describeChecks(checks, 'the coordinator', 'start the coordinator without --check');
}

/** Only the swarm API runs models on the coordinator: a model it cannot run is a warning, not a reason the queue cannot start. */
function swarmApiModelCheck(providers: ProviderRegistry): Check {
  const check = modelCheck(providers);
  if (check.status !== 'fail') return check;
  return { ...check, status: 'warn', detail: `${check.detail} (only the swarm API, /v1/swarm/…, runs models here; the queue and workers do not need them)` };
}

function storeCheck(file: string): Check {
  if (!existsSync(file)) return { name: 'store', status: 'ok', detail: 'none yet: created (and migrated) at the first start' };
  let sqlite;
  try {
    sqlite = openSqlite(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    return { name: 'store', status: 'fail', detail: `${file} cannot be opened: ${(error as Error).message}` };
  }
  try {
    // quick_check: the integrity check without cross-checking every index (seconds, not minutes, on a big store).
    const verdict = sqlite.pragma('quick_check', { simple: true });
    if (verdict !== 'ok') return { name: 'store', status: 'fail', detail: `${file} fails SQLite's quick check: ${String(verdict)} (restore a backup: swarmtask restore)` };
    const migrations = migrationStatus(sqlite);
    const size = formatBytes(statSync(file).size);
    if (migrations.tooNew) {
      return { name: 'store', status: 'fail', detail: `${file} (${size}) was migrated by a newer swarmtask than this one: run the newer release, or restore a backup made by this one` };
    }
    return {
      name: 'store',
      status: 'ok',
      detail: `${file}, ${size}, passes SQLite's quick check; ${migrations.applied} migrations applied${migrations.pending > 0 ? `, ${migrations.pending} to apply at start (back it up first: swarmtask backup FILE)` : ', none to apply'}`,
    };
  } catch (error) {
    return { name: 'store', status: 'fail', detail: `${file} cannot be read as SQLite: ${(error as Error).message}` };
  } finally {
    sqlite.close();
  }
}

function portCheck(host: string, port: number): Promise<Check> {
  if (port === 0) return Promise.resolve({ name: 'port', status: 'ok', detail: 'any free port (0)' });
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'EADDRINUSE' ? 'is in use by another process' : error.code === 'EACCES' ? 'needs privileges this user lacks' : `cannot be bound (${error.code ?? error.message})`;
      done({ name: 'port', status: 'fail', detail: `${host}:${port} ${why} (--port / SWARMTASK_PORT)` });
    });
    probe.listen(port, host, () => probe.close(() => done({ name: 'port', status: 'ok', detail: `${host}:${port} is free` })));
  });
}

function diskCheck(dataDir: string, storeFile: string): Check {
  const room = diskRoom(storeFile, dataDir);
  return room.low
    ? { name: 'disk', status: 'warn', detail: `${formatBytes(room.freeBytes)} free where the data dir lives; keep at least ${formatBytes(room.wantedFreeBytes)} (twice the store, or 1 GiB) for growth and backups` }
    : { name: 'disk', status: 'ok', detail: `${formatBytes(room.freeBytes)} free` };
}

function signingKeyCheck(dataDir: string): Check {
  const file = resolve(dataDir, 'coordinator-key.json');
  if (!existsSync(file)) return { name: 'signing key', status: 'ok', detail: 'none yet: created at the first start (mode 600)' };
  const mode = statSync(file).mode & 0o777;
  return mode & 0o077
    ? { name: 'signing key', status: 'warn', detail: `${file} can be read by others (mode ${mode.toString(8)}): chmod 600 ${file}; it signs the payout lists` }
    : { name: 'signing key', status: 'ok', detail: `${file} (mode ${mode.toString(8)}); keep a copy with your secrets, backups leave it out` };
}

function webhookCheck(config: ServerConfig): Check {
  const signed = Boolean(config.webhookSecret);
  const url = config.webhookUrl!;
  const file = databaseFile(config);
  let state = null;
  if (existsSync(file)) {
    const sqlite = openSqlite(file, { readonly: true, fileMustExist: true });
    try {
      state = readWebhookState(sqlite);
    } catch {
      state = null; // a store without the settings table yet: nothing delivered
    } finally {
      sqlite.close();
    }
  }
  if (state && state.url === url && state.failing) {
    return { name: 'webhook', status: 'warn', detail: `${url}: its deliveries were failing when the coordinator last ran (${state.failing.attempts} attempts: ${state.failing.error})` };
  }
  if (!signed) return { name: 'webhook', status: 'warn', detail: `${url}, events ${config.webhookEvents}; unsigned: set SWARMTASK_WEBHOOK_SECRET so the receiver can tell deliveries from forgeries` };
  return { name: 'webhook', status: 'ok', detail: `${url}, events ${config.webhookEvents}, signed${state?.url === url ? `; goes on after event ${state.cursor}` : '; starts at the newest event'}` };
}
