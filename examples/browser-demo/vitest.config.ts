import { defineConfig } from 'vitest/config';

// Own config, so vitest does not pick up vite.config.ts (the page's build).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
