// esbuild bundles imported CSS into app.css; tsc only needs to know the import is fine.
declare module '*.css'
