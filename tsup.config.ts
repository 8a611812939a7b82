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

/**
 * The framework adapters (`grantex/express`, …): built with the main entry so
 * they share its chunks (one copy of the verifier and its error classes), each
 * with a CommonJS wrapper like index.cjs. The frameworks stay imports.
 */
const ADAPTERS = ['express', 'hono', 'fastify', 'next', 'mcp'] as const;
const ADAPTER_ENTRIES = Object.fromEntries(ADAPTERS.map((name) => [name, `src/adapters/${name}.ts`]));
const FRAMEWORKS = ['express', 'hono', 'fastify', 'next', '@modelcontextprotocol/sdk'];
const adapterCjs = (name: string) => CJS_ENTRY.replace('./index.js', `./${name}.js`);

export default defineConfig((cli) => {
  const outDir = cli.outDir ?? 'dist';
  return [
    {
      entry: { index: 'src/index.ts', ...ADAPTER_ENTRIES },
      format: ['esm'],
      dts: true,
      target: ['node20', 'es2022'],
      platform: 'neutral',
      clean: true,
      sourcemap: true,
      // Dependencies stay imports; the package declares them.
      external: ['openapi-fetch', 'jose', ...FRAMEWORKS],
      onSuccess: async () => {
        await writeFile(join(outDir, 'index.cjs'), CJS_ENTRY);
        await Promise.all(ADAPTERS.map((name) => writeFile(join(outDir, `${name}.cjs`), adapterCjs(name))));
      },
    },
    {
      // The CommonJS declarations only (index.d.cts); the JavaScript is CJS_ENTRY.
      entry: { index: 'src/index.ts', ...ADAPTER_ENTRIES },
      format: ['cjs'],
      dts: { only: true },
      external: ['openapi-fetch', 'jose', ...FRAMEWORKS],
    },
    {
      entry: { 'grantex-conformance': 'conformance/cli/main.ts' },
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
    {
      // grantex-manifest: OpenAPI document → tool manifest, for Node.
      entry: { 'grantex-manifest': 'src/enforce/manifest-bin.ts' },
      format: ['esm'],
      target: 'node20',
      platform: 'node',
      splitting: false,
      external: ['openapi-fetch', 'jose', 'yaml'],
      banner: { js: '#!/usr/bin/env node' },
    },
  ];
});
