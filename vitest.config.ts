import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['{packages,infra,examples}/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // One local cloud for the whole run; suites that need their own start it themselves.
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
})
