import { defineConfig } from 'vitest/config';

// The fault tests: one native stack shared by every case in the file; each case injects an outage
// into a counted k6 run, so cases take about two minutes each and run one after another.
export default defineConfig({
  test: {
    include: ['e2e/**/*.faults.test.ts'],
    fileParallelism: false,
    testTimeout: 400_000,
    hookTimeout: 900_000,
    reporters: ['verbose'],
  },
});
