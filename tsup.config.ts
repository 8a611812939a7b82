// Builds the npm package into dist/:
// - index.js: the SDK, one ESM entry with bundled type declarations (including
//   the generated spec types), for Node 20+, browsers and edge runtimes;
// - index.cjs and index.d.cts: the CommonJS entry, a one-line wrapper that
//   require()s index.js (Node 20.19+ loads ESM through require), so CommonJS
//   and ESM consumers share one copy of the classes, with declarations of their own;
// - grantex-conformance.js: the conformance CLI for Node, with the suite, the
//   reference server and their dependencies bundled in, so installing the SDK
//   pulls in nothing extra.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineConfig } from 'tsup';

const CJS_ENTRY = `'use strict';
// The package is ESM; Node 20.19+ loads it through require().
module.exports = require('./index.js');
`;

export default defineConfig((cli) => {
  const outDir = cli.outDir ?? 'dist';
  return [
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
      onSuccess: () => writeFile(join(outDir, 'index.cjs'), CJS_ENTRY),
    },
    {
      // The CommonJS declarations only (index.d.cts); the JavaScript is CJS_ENTRY.
      entry: ['src/index.ts'],
      format: ['cjs'],
      dts: { only: true },
      external: ['openapi-fetch', 'jose'],
    },
    {
      entry: { 'grantex-conformance': 'conformance/cli/main.ts' },
      format: ['esm'],
      target: 'node20',
      platform: 'node',
      splitting: false,
      // playwright-core drives a local Chromium for the consent-UI check only when it is installed.
      external: ['openapi-fetch', 'jose', 'playwright-core'],
      noExternal: ['fast-check', 'ajv', 'ajv-formats', 'hono', '@hono/node-server'],
      banner: {
        // ajv is CommonJS: its bundled require() calls need a real require.
        js: "#!/usr/bin/env node\nimport { createRequire as __gxCreateRequire } from 'node:module';\nconst require = __gxCreateRequire(import.meta.url);",
      },
    },
  ];
});
