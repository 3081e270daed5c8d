import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 180_000, // the PyTorch-parity gradient tests take minutes on a loaded 2-core machine
  },
});
