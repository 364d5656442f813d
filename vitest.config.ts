import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['bin/cli/warnings.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // DynamoDB Local is one JVM per test file; two cores do not gain from more parallel files.
    maxWorkers: 2,
  },
});
