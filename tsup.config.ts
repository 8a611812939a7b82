// Builds the npm package into dist/:
// - index.js: the SDK, one ESM entry with bundled type declarations (including
//   the generated spec types), for Node 20+, browsers and edge runtimes;
// - grantex-conformance.js: the conformance CLI for Node, with the suite, the
//   reference server and their dependencies bundled in, so installing the SDK
//   pulls in nothing extra.
import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm'],
    dts: true,
    target: ['node20', 'es2022'],
    platform: 'neutral',
    clean: true,
    sourcemap: true,
    // Dependencies stay imports; the package declares them.
    external: ['openapi-fetch', 'jose'],
  },
  {
    entry: { 'grantex-conformance': 'conformance/main.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    splitting: false,
    external: ['openapi-fetch', 'jose'],
    noExternal: ['fast-check', 'ajv', 'ajv-formats', 'hono', '@hono/node-server'],
    banner: {
      // ajv is CommonJS: its bundled require() calls need a real require.
      js: "#!/usr/bin/env node\nimport { createRequire as __gxCreateRequire } from 'node:module';\nconst require = __gxCreateRequire(import.meta.url);",
    },
  },
]);
