/**
 * @module lint-package
 * `npm run lint:package`: packs the package and runs the two package linters on
 * what a user would install: publint (exports, files, formats) and
 * arethetypeswrong (types under every module resolution, default profile).
 * Exits non-zero on any finding of either.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packTarball, root } from './pack.js';

const work = mkdtempSync(join(tmpdir(), 'grantex-lint-package-'));
let failed = false;
try {
  const { tarball } = await packTarball(work);
  const tools: [string, string[]][] = [
    ['publint', ['run', '--strict', tarball]],
    // Subpath exports need Node 16's resolution (node10 knows no `exports`); `grantex/testing` is ESM-only
    // on purpose (a Node test helper), so it is judged by the ESM-only profile.
    [
      'attw',
      [
        '--no-definitely-typed',
        '--profile',
        'node16',
        '--exclude-entrypoints',
        'testing',
        '--format',
        'table-flipped',
        tarball,
      ],
    ],
    [
      'attw',
      [
        '--no-definitely-typed',
        '--profile',
        'esm-only',
        '--entrypoints',
        'testing',
        '--format',
        'table-flipped',
        tarball,
      ],
    ],
  ];
  for (const [tool, args] of tools) {
    console.log(`$ ${tool} ${args.join(' ')}`);
    const result = spawnSync(join(root, 'node_modules/.bin', tool), args, { stdio: 'inherit' });
    if (result.status !== 0) {
      console.error(`${tool}: exit ${result.status ?? result.signal}`);
      failed = true;
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
