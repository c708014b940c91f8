import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code (src/**/*.test.ts); cross-cutting suites live in tests/
// (store, cli, golden, fuzz). Playwright owns tests/e2e.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    exclude: ['tests/e2e/**', 'node_modules/**', 'out/**'],
    environment: 'node',
    setupFiles: ['tests/vitest-setup.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
