import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    setupFiles: ['tests/support/environment.ts'],
    // Each embedded database is a real Postgres starting in WebAssembly: seconds, not milliseconds.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: more workers only make the WebAssembly start-ups fight each other.
    maxWorkers: 2,
  },
});
