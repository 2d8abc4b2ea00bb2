/**
 * Entry of the single binary (`npm run build:binary`): a Node single executable carrying the
 * bundled CLI, better-sqlite3's native addon and the migrations as assets. Inside it `require`
 * reaches only built-in modules, so the addon is written to a cache directory once (keyed by its
 * hash) and loaded with `process.dlopen`; the migrations are unpacked beside it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { getAsset } from 'node:sea';
import { useMigrationsFolder } from '../../server/db/open.js';
import { useSqliteAddon } from '../../server/db/sqlite.js';

const addon = Buffer.from(getAsset('better_sqlite3.node'));
const migrations = JSON.parse(getAsset('migrations.json', 'utf8')) as Record<string, string>;
const hash = createHash('sha256').update(addon).update(JSON.stringify(migrations)).digest('hex').slice(0, 16);

/** Writes `bytes` to `file` unless it is already there; via a temporary name, so a reader never sees half of it. */
function place(file: string, bytes: string | Buffer): void {
  if (existsSync(file)) return;
  mkdirSync(dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, bytes);
  renameSync(partial, file);
}

function unpack(root: string): string {
  const dir = join(root, 'swarmtask', hash);
  place(join(dir, 'better_sqlite3.node'), addon);
  for (const [name, text] of Object.entries(migrations)) place(join(dir, 'drizzle', name), text);
  return dir;
}

let dir: string;
try {
  dir = unpack(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'));
} catch {
  dir = unpack(tmpdir()); // no writable home (a service user): the temp dir will do
}
const loaded = { exports: {} as object };
process.dlopen(loaded, join(dir, 'better_sqlite3.node'));
useSqliteAddon(loaded.exports);
useMigrationsFolder(join(dir, 'drizzle'));

// Loaded after the setup above (a static import would run first).
void import('./main.js');
