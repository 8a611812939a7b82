/**
 * @module bundled-spec
 * The bundled spec, read once per process: `openapi.json` at the root of the
 * installed package (one level above the bundles in dist/; shipped once, and
 * exported as `grantex/openapi.json`), or generated/openapi.json in a clone of
 * the repository (two levels above this source file). The first found wins.
 */
import { existsSync, readFileSync } from 'node:fs';

const CANDIDATES = ['../openapi.json', '../generated/openapi.json', '../../generated/openapi.json'];

let cached: unknown;

export function readBundledSpec(): unknown {
  if (cached === undefined) {
    const found = CANDIDATES.map((path) => new URL(path, import.meta.url)).find((url) => existsSync(url));
    if (!found) throw new Error('generated/openapi.json not found beside the conformance suite');
    cached = JSON.parse(readFileSync(found, 'utf8'));
  }
  return cached;
}
