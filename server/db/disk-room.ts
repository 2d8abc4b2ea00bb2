import { existsSync, statfsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

const GIB = 1024 ** 3;

/** How much room the store has where it lives. */
export interface DiskRoom {
  /** The database file. */
  storeBytes: number;
  /** Its write-ahead log (checkpointed back into the file, then truncated). */
  walBytes: number;
  /** Free to this user on the file system that holds the data dir. */
  freeBytes: number;
  /** What should stay free: room for a backup (a compacted copy) and growth — twice the store, at least 1 GiB. */
  wantedFreeBytes: number;
  /** Free space is below what should stay free: time to make room before writes fail with STORE_FULL. */
  low: boolean;
}

/** The nearest existing directory at or above `dir` (what decides whether `dir` can be created). */
export function existingAncestor(dir: string): string {
  let existing = dir;
  while (!existsSync(existing)) existing = join(existing, '..');
  return existing;
}

const sizeOf = (file: string) => (existsSync(file) ? statSync(file).size : 0);

/** The room of the store `storeFile` (which need not exist yet) in `dataDir`. */
export function diskRoom(storeFile: string, dataDir = dirname(storeFile)): DiskRoom {
  const stats = statfsSync(existingAncestor(dataDir));
  const freeBytes = stats.bavail * stats.bsize;
  const storeBytes = sizeOf(storeFile);
  const walBytes = sizeOf(`${storeFile}-wal`);
  const wantedFreeBytes = Math.max(GIB, 2 * (storeBytes + walBytes));
  return { storeBytes, walBytes, freeBytes, wantedFreeBytes, low: freeBytes < wantedFreeBytes };
}
