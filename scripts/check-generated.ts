/**
 * Fails when generated/ is not exactly what `npm run generate` makes from spec/.
 * Regenerates into a temporary folder and compares byte for byte.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generate } from './generate.js';

const committed = resolve(import.meta.dirname, '..', 'generated');
const fresh = mkdtempSync(join(tmpdir(), 'grantex-generated-'));
try {
  await generate(fresh);
  const expected = readdirSync(fresh).sort();
  const actual = readdirSync(committed).sort();
  const problems: string[] = [];
  for (const name of new Set([...expected, ...actual])) {
    if (!expected.includes(name)) problems.push(`${name}: not produced by the generator (remove it)`);
    else if (!actual.includes(name)) problems.push(`${name}: missing (run npm run generate)`);
    else if (!readFileSync(join(fresh, name)).equals(readFileSync(join(committed, name)))) {
      problems.push(`${name}: differs from what spec/ generates (run npm run generate and commit)`);
    }
  }
  if (problems.length > 0) {
    console.error(`generated/ is stale:\n  ${problems.join('\n  ')}`);
    process.exitCode = 1;
  } else {
    console.log(`generated/ is fresh (${expected.length} files match spec/)`);
  }
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
