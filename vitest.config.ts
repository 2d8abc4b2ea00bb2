import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Child-process and server tests share 2 cores; keep file parallelism modest.
    maxWorkers: 2,
    pool: 'forks',
  },
});
