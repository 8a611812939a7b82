/**
 * Cold start: a fresh `node` that imports `grantex`, against a bare
 * `node -e 0` (the baseline) and against one that imports an empty ESM
 * package (the floor: what any package import costs). Goal (issue 10): at
 * most 1.3x the baseline. The package is built from src/ into a scratch
 * directory as the npm build does it (ESM, platform-neutral, dependencies
 * external) and installed there beside links to its dependencies, so the
 * import resolves as in a user's project. A fourth contender imports jose as
 * well, to show what loading it would add.
 *
 * Each round spawns every contender BENCH_SPAWNS times (default 3), in
 * rotating order; its ratio is contender time / baseline time in that round
 * (lower is better), and the median over BENCH_ROUNDS rounds (default 21) is
 * printed with the raw milliseconds of the median round beside it. Beside the
 * wall time, the same is printed for the CPU time each child reports for
 * itself at the end of its script (steadier when the machine is busy).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import { describeLoad, medianRound } from './support.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 21);
const SPAWNS = Number(process.env.BENCH_SPAWNS ?? 3);
const GOAL = 1.3;
const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

async function install(): Promise<string> {
  const work = mkdtempSync(join(tmpdir(), 'grantex-import-bench-'));
  const modules = join(work, 'node_modules');
  const pkg = join(modules, 'grantex');
  await build({
    entry: { index: join(root, 'src/index.ts') },
    outDir: join(pkg, 'dist'),
    format: ['esm'],
    platform: 'neutral',
    target: ['node20', 'es2022'],
    external: ['openapi-fetch', 'jose'],
    dts: false,
    config: false,
    silent: true,
  });
  writeFileSync(
    join(pkg, 'package.json'),
    JSON.stringify({ name: 'grantex', type: 'module', exports: './dist/index.js' }),
  );
  for (const dependency of ['openapi-fetch', 'jose'])
    symlinkSync(join(root, 'node_modules', dependency), join(modules, dependency), 'dir');
  mkdirSync(join(modules, 'empty-esm'));
  writeFileSync(
    join(modules, 'empty-esm', 'package.json'),
    JSON.stringify({ name: 'empty-esm', type: 'module', exports: './index.js' }),
  );
  writeFileSync(join(modules, 'empty-esm', 'index.js'), '');
  return work;
}

interface Contender {
  name: string;
  args: string[];
  /** Mean wall ms of a spawn, per round. */
  rounds: number[];
  /** Mean CPU ms the child reported, per round. */
  cpu: number[];
}

/** Printed by every child last: its own CPU time so far, in µs. */
const REPORT_CPU = 'const u = process.cpuUsage(); process.stdout.write(String(u.user + u.system));';

function spawnMs(args: readonly string[], cwd: string): { wall: number; cpu: number } {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const wall = performance.now() - start;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr.toString()}`);
  return { wall, cpu: Number(result.stdout.toString()) / 1000 };
}

function row(
  name: string,
  width: number,
  ratios: number[],
  baseline: number[],
  own: number[],
): { ratio: number; text: string } {
  const { ratio, round, q1, q3 } = medianRound(ratios);
  const raw = `round ${round + 1}: ${baseline[round]!.toFixed(1)}, ${own[round]!.toFixed(1)}`;
  return {
    ratio,
    text: `  ${name.padEnd(width)}  ${`${ratio.toFixed(2)}x`.padStart(12)}  ${`${q1.toFixed(2)}–${q3.toFixed(2)}`.padStart(11)}  ${raw.padStart(36)}`,
  };
}

async function main(): Promise<void> {
  console.log(`node ${process.version}; ${ROUNDS} rounds of ${SPAWNS} spawns per contender; ${describeLoad()}`);
  const work = await install();
  try {
    const esm = (source: string) => ['--input-type=module', '-e', `${source} ${REPORT_CPU}`];
    const contender = (name: string, args: string[]): Contender => ({ name, args, rounds: [], cpu: [] });
    const contenders: Contender[] = [
      contender('node -e 0 (baseline)', ['-e', `0; ${REPORT_CPU}`]),
      contender("import 'empty-esm' (floor)", esm("import 'empty-esm';")),
      contender("import 'grantex'", esm("import 'grantex';")),
      contender("import 'grantex' and 'jose' (for comparison)", esm("import 'grantex'; import 'jose';")),
    ];
    for (const contender of contenders) spawnMs(contender.args, work); // warm the file cache
    for (let round = 0; round < ROUNDS; round++) {
      const wall = contenders.map(() => 0);
      const cpu = contenders.map(() => 0);
      for (let spawn = 0; spawn < SPAWNS; spawn++) {
        for (let k = 0; k < contenders.length; k++) {
          const i = (k + round + spawn) % contenders.length;
          const spent = spawnMs(contenders[i]!.args, work);
          wall[i]! += spent.wall;
          cpu[i]! += spent.cpu;
        }
      }
      contenders.forEach((c, i) => {
        c.rounds.push(wall[i]! / SPAWNS);
        c.cpu.push(cpu[i]! / SPAWNS);
      });
    }
    const [baseline] = contenders;
    const width = Math.max(...contenders.map((c) => c.name.length));
    let met = true;
    for (const kind of ['wall', 'cpu'] as const) {
      const what = kind === 'wall' ? 'wall ms per spawn' : 'CPU ms the child used';
      console.log(`\n${what}; ratio: median over rounds of (contender / baseline in that round); lower is better`);
      console.log(
        `  ${''.padEnd(width)}  ${'median ratio'.padStart(12)}  ${'quartiles'.padStart(11)}  ${'median round: baseline, this'.padStart(36)}`,
      );
      for (const c of contenders) {
        const own = kind === 'wall' ? c.rounds : c.cpu;
        const base = kind === 'wall' ? baseline!.rounds : baseline!.cpu;
        const { ratio, text } = row(
          c.name,
          width,
          own.map((x, i) => x / base[i]!),
          base,
          own,
        );
        const isGoal = kind === 'wall' && c.name === "import 'grantex'";
        if (isGoal && ratio > GOAL) met = false;
        console.log(isGoal ? `${text}  goal <= ${GOAL}x: ${ratio <= GOAL ? 'met' : 'NOT met'}` : text);
      }
    }
    console.log(`\n${describeLoad()}`);
    console.log(`goal ${met ? 'met' : 'NOT met'}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
