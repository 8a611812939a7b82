/**
 * @module pack
 * Builds the npm package into a staging copy and packs it, leaving the
 * repository's dist/ alone: the tarball that the pack test, the package lint
 * and the runtime matrix install. `tsx scripts/pack.ts [dir]` prints its path.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const root = resolve(import.meta.dirname, '..');

/** The files the package takes from the repository besides the build (`package.json` `files`, README, LICENSE). */
function stagedFiles(): string[] {
  const { files } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { files: string[] };
  return [
    ...files.filter((file) => file !== 'dist' && file !== 'openapi.json'),
    'package.json',
    'README.md',
    'LICENSE',
  ];
}

/** Stages and packs the package under `work`; resolves to the staging folder and the tarball's path. */
export async function packTarball(work: string): Promise<{ stage: string; tarball: string }> {
  const stage = join(work, 'stage');
  await run(join(root, 'node_modules/.bin/tsup'), ['--out-dir', join(stage, 'dist')], {
    cwd: root,
    maxBuffer: 16 << 20,
  });
  for (const file of stagedFiles()) {
    if (!existsSync(join(root, file))) continue;
    mkdirSync(dirname(join(stage, file)), { recursive: true });
    copyFileSync(join(root, file), join(stage, file));
  }
  // node10 resolution ignores `exports`: `grantex/openapi.json` must be a real file at the root.
  copyFileSync(join(root, 'generated/openapi.json'), join(stage, 'openapi.json'));
  const { stdout } = await run('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', work], {
    cwd: stage,
  });
  return { stage, tarball: join(work, stdout.trim().split('\n').pop()!) };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === import.meta.filename) {
  const out = resolve(process.argv[2] ?? join(root, 'build/pack'));
  mkdirSync(out, { recursive: true });
  const { tarball } = await packTarball(out);
  console.log(tarball);
}
