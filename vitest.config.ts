import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Child-process and server tests share 2 cores; keep file parallelism modest.
    maxWorkers: 2,
    pool: 'forks',
    // Test files share their worker's module cache instead of importing the server afresh each:
    // the import phase took 127 of CI's ~350 s of tests, 13 s without isolation. Server state
    // lives per opened store (WeakMaps keyed by the connection), not in module globals, and the
    // suite passes with its files and tests in shuffled order (`--sequence.shuffle`). Spies are
    // restored after every test so none outlives its file.
    isolate: false,
    restoreMocks: true,
  },
});
