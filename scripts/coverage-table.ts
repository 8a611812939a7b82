/**
 * @module scripts/coverage-table
 * Writes the coverage table (conformance/engine/spec-rules.ts) into
 * conformance/README.md between its coverage markers. `--check` only compares.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { ALL_CHECKS } from '../conformance/checks/index.js';
import { renderCoverageTable } from '../conformance/verdicts/coverage-table.js';

const file = 'conformance/README.md';
const readme = readFileSync(file, 'utf8');
const marker = /(<!-- coverage:start -->\n)[\s\S]*?(<!-- coverage:end -->)/;
if (!marker.test(readme)) throw new Error(`${file} has no <!-- coverage:start --> … <!-- coverage:end --> markers`);
const next = readme.replace(
  marker,
  (_, start: string, end: string) => `${start}${renderCoverageTable(ALL_CHECKS)}${end}`,
);
if (process.argv.includes('--check')) {
  if (next !== readme) {
    process.stderr.write(`${file}: the coverage table is out of date (npm run coverage:table)\n`);
    process.exit(1);
  }
} else if (next !== readme) {
  writeFileSync(file, next);
  process.stdout.write(`${file}: coverage table written\n`);
}
