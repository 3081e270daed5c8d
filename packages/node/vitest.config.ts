import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The end-to-end tests spawn the built CLI and worker threads; on a 2-core machine running
    // the files one after another is faster than contending for the cores.
    fileParallelism: false,
  },
});
