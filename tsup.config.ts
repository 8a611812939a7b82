// Builds the npm package: one ESM entry with bundled type declarations
// (including the generated spec types), for Node 20+, browsers and edge runtimes.
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  target: ['node20', 'es2022'],
  platform: 'neutral',
  clean: true,
  sourcemap: true,
  // Dependencies stay imports; the package declares them.
  external: ['openapi-fetch', 'jose'],
});
