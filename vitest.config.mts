import { defineConfig } from 'vitest/config';

// Unit and integration tests. The end-to-end suite has its own config (e2e/vitest.config.ts)
// because it needs the native stack of real binaries.
export default defineConfig({
  test: {
    include: [
      'service/src/**/*.test.ts',
      'inventory/src/**/*.test.ts',
      'loadgen/**/*.test.ts',
      'dashboards/**/*.test.ts',
      'tests/**/*.test.ts',
      'native/**/*.test.ts',
      'kit/**/*.test.ts',
      'scripts/**/*.test.ts',
      'e2e/bench/**/*.test.ts',
      'deploy/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', 'e2e/**/*.e2e.test.ts', 'e2e/**/*.faults.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
