/**
 * The bundled spec (generated/openapi.json), read once per process. The relative
 * path holds both for the sources in conformance/ and for the CLI bundle in
 * dist/, each one level below the package root.
 */
import { readFileSync } from 'node:fs';

let cached: unknown;

export function readBundledSpec(): unknown {
  cached ??= JSON.parse(readFileSync(new URL('../generated/openapi.json', import.meta.url), 'utf8'));
  return cached;
}
