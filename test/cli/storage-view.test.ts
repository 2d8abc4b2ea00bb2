import { statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diskRoom } from '../../server/db/disk-room.js';
import { describeStorage } from '../../client/cli/status-view.js';
import { tempDir } from '../helpers/coordinator.js';

const GIB = 1024 ** 3;

describe('disk room', () => {
  it('counts the store file and its WAL, and wants twice the store or 1 GiB free', () => {
    using dir = tempDir();
    const store = join(dir.path, 'data', 'swarmtask.db');
    // A data dir not created yet: measured where it will be.
    expect(diskRoom(store)).toMatchObject({ storeBytes: 0, walBytes: 0, wantedFreeBytes: GIB });
    writeFileSync(join(dir.path, 'swarmtask.db'), Buffer.alloc(10_240));
    writeFileSync(join(dir.path, 'swarmtask.db-wal'), Buffer.alloc(2_048));
    const room = diskRoom(join(dir.path, 'swarmtask.db'));
    expect(room).toMatchObject({ storeBytes: 10_240, walBytes: 2_048, wantedFreeBytes: GIB });
    const fs = statfsSync(dir.path);
    expect(Math.abs(room.freeBytes - fs.bavail * fs.bsize)).toBeLessThan(64 * 1024 ** 2);
    expect(room.low).toBe(room.freeBytes < GIB);
  });

  it('status says how big the store is and, when space runs low, what to keep free and what fails', () => {
    expect(describeStorage({ storeBytes: 12.3 * 1024 ** 2, walBytes: 0, freeBytes: 41 * GIB, wantedFreeBytes: GIB, low: false })).toBe('store 12.3 MiB, 41.0 GiB free');
    expect(describeStorage({ storeBytes: 3 * GIB, walBytes: 512 * 1024, freeBytes: 2 * GIB, wantedFreeBytes: 6 * GIB + 1024 ** 2, low: true })).toBe(
      'store 3.0 GiB (WAL 512 KiB), LOW: 2.0 GiB free, keep at least 6.0 GiB (twice the store, or 1 GiB) for growth and backups; writes fail with STORE_FULL when it runs out',
    );
  });
});
