import { loadServerConfig, type ServerConfigInput } from '../../server/config.js';
import { silentLogger } from '../../server/logger.js';
import { openCore } from '../../server/open-core.js';
import type { Core } from '../../server/core.js';
import { tempDir } from './coordinator.js';

/** Domain functions on a real SQLite file in a temp dir, no server. */
export function openTestCore(overrides: Partial<ServerConfigInput> = {}): Core & Disposable & { dataDir: string } {
  const dir = tempDir();
  const core = openCore(loadServerConfig({}, { dataDir: dir.path, taskId: 'test-task', ...overrides }), silentLogger());
  return Object.assign(core, {
    dataDir: dir.path,
    [Symbol.dispose]() {
      core.close();
      dir[Symbol.dispose]();
    },
  });
}
