import { defineConfig } from 'vitest/config'

export default defineConfig({
  // @whimsy/sdk's exports point at its built dist/; the workspace runs it from source through
  // the `paths` of tsconfig.base.json.
  resolve: { tsconfigPaths: true },
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
