/**
 * @module bundled-spec
 * The bundled spec (generated/openapi.json), read once per process. It sits at
 * the package root, which is two levels above this source file and one level
 * above the CLI bundle in dist/; the nearest of those that holds it wins.
 */
import { existsSync, readFileSync } from 'node:fs';

const CANDIDATES = ['../generated/openapi.json', '../../generated/openapi.json'];

let cached: unknown;

export function readBundledSpec(): unknown {
  if (cached === undefined) {
    const found = CANDIDATES.map((path) => new URL(path, import.meta.url)).find((url) => existsSync(url));
    if (!found) throw new Error('generated/openapi.json not found beside the conformance suite');
    cached = JSON.parse(readFileSync(found, 'utf8'));
  }
  return cached;
}
