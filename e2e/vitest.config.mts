import { defineConfig } from 'vitest/config';

// The end-to-end suite: one native stack of real binaries shared by every test in the file,
// so files run one at a time and hooks get minutes, not seconds.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.test.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 900_000,
    reporters: ['verbose'],
  },
});
