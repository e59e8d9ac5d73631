import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['test/support/secret-leak-guard.ts', 'test/support/fast-check-seed.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Two cores on CI: forks keep dynalite and local servers isolated per file.
    pool: 'forks',
  },
});
