// Builds the npm package into dist/:
// - index.js: the SDK, one ESM entry with bundled type declarations (including
//   the generated spec types), for Node 20+, browsers and edge runtimes;
// - index.cjs and index.d.cts: the CommonJS entry, a one-line wrapper that
//   require()s index.js (Node 20.19+ loads ESM through require), so CommonJS
//   and ESM consumers share one copy of the classes, with declarations of their own;
// - grantex-conformance.js: the conformance CLI for Node, with the suite, the
//   reference server and their dependencies bundled in, so installing the SDK
//   pulls in nothing extra;
// - testing.js (+ testing.d.ts) and grantex-dev-server.js: `grantex/testing`
//   (startReferenceServer, for tests) and the dev-server command, both the
//   reference server for Node, sharing one chunk; `import 'grantex'` loads neither.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineConfig } from 'tsup';

const CJS_ENTRY = `'use strict';
// The package is ESM; Node 20.19+ loads it through require().
module.exports = require('./index.js');
`;

/**
 * The framework adapters (`grantex/express`, …), built apart from the main
 * entry so its declarations stay one self-contained file. Their imports of the
 * integrity helpers are rewritten to the package itself (`grantex`), so an
 * adapter and the main entry share one copy of the verifier and its error
 * classes; each gets a CommonJS wrapper like index.cjs. Frameworks stay imports.
 */
const ADAPTERS = ['express', 'hono', 'fastify', 'next', 'mcp'] as const;
const ADAPTER_ENTRIES = Object.fromEntries(ADAPTERS.map((name) => [name, `src/adapters/${name}.ts`]));
const ADAPTER_EXTERNALS = [
  'grantex',
  'openapi-fetch',
  'jose',
  'express',
  'hono',
  'fastify',
  'next',
  '@modelcontextprotocol/sdk',
];
const adapterCjs = (name: string) => CJS_ENTRY.replace('./index.js', `./${name}.js`);
const integrityAsPackage = {
  name: 'integrity-as-package',
  setup(build: { onResolve(options: { filter: RegExp }, callback: (args: { importer: string }) => unknown): void }) {
    build.onResolve({ filter: /\/integrity\// }, (args) =>
      /[\\/]src[\\/]adapters[\\/]/.test(args.importer) ? { path: 'grantex', external: true } : undefined,
    );
  },
};

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
    {
      entry: ADAPTER_ENTRIES,
      format: ['esm'],
      dts: true,
      target: ['node20', 'es2022'],
      platform: 'neutral',
      sourcemap: true,
      external: ADAPTER_EXTERNALS,
      esbuildPlugins: [integrityAsPackage],
      onSuccess: async () => {
        await Promise.all(ADAPTERS.map((name) => writeFile(join(outDir, `${name}.cjs`), adapterCjs(name))));
      },
    },
    {
      entry: ADAPTER_ENTRIES,
      format: ['cjs'],
      dts: { only: true },
      external: ADAPTER_EXTERNALS,
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
    {
      entry: { testing: 'conformance/reference/testing.ts', 'grantex-dev-server': 'conformance/reference/cli/main.ts' },
      format: ['esm'],
      dts: { entry: { testing: 'conformance/reference/testing.ts' } },
      target: 'node20',
      platform: 'node',
      splitting: true,
      external: ['openapi-fetch', 'jose'],
      noExternal: ['ajv', 'ajv-formats', 'hono', '@hono/node-server'],
      banner: {
        // The shebang makes grantex-dev-server.js runnable (it is harmless in the other files); ajv needs require.
        js: "#!/usr/bin/env node\nimport { createRequire as __gxCreateRequire } from 'node:module';\nconst require = __gxCreateRequire(import.meta.url);",
      },
    },
  ];
});
