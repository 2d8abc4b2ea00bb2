import { diskRoom, type DiskRoom } from './disk-room.js';
import type { Core } from '../core.js';

/** The room of this coordinator's store (null for an in-memory store, which has no disk). */
export function storeRoom(core: Pick<Core, 'sqlite'>): DiskRoom | null {
  const file = core.sqlite.name;
  if (!file || file === ':memory:' || core.sqlite.memory) return null;
  return diskRoom(file);
}
