/**
 * `@aws-sdk/lib-storage` depends on `buffer@4`, which reads `global.TYPED_ARRAY_SUPPORT`
 * when it loads: a ReferenceError in browsers, where only `globalThis` exists. Defining
 * `global` here, imported first by `whimsy.ts`, spares every app a bundler `define`.
 */
const scope = globalThis as { global?: unknown }
if (scope.global === undefined) scope.global = globalThis
