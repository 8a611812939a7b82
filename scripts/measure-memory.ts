/**
 * Peak-RSS growth of the client on a 300 MB body and on a gzip bomb (a few
 * hundred KB inflating to 400 MB), each measured in a fresh Node process with
 * the server in yet another one (scripts/bench/memory-server.ts). Goal (issue
 * 9): under 64 MB each, with the default maxResponseBytes (10 MiB); the call
 * must fail with RESPONSE_TOO_LARGE. Peak RSS is Linux's VmHWM, reset through
 * /proc/self/clear_refs just before the call (falls back to the growth of
 * VmHWM when the reset is refused). Run: `npx tsx scripts/measure-memory.ts`.
 * `MEASURE_MAX_BYTES=104857600 npx tsx scripts/measure-memory.ts` is the
 * control: with a 100 MiB cap the growth must show (and the goal is not met).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Grantex } from '../src/index.js';
import { startServerProcess } from './bench/server-process.js';

const LIMIT_MB = 64;

function status(field: 'VmHWM' | 'VmRSS'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  if (match === null) throw new Error(`no ${field} in /proc/self/status (Linux only)`);
  return Number(match[1]) / 1024;
}

/** In the child: one call against `url`, printing JSON with the figures. */
async function child(url: string, which: string): Promise<void> {
  const cap = Number(process.env.MEASURE_MAX_BYTES ?? '') || undefined;
  const client = new Grantex({
    apiKey: 'gx_test_memory',
    baseUrl: url,
    maxRetries: 0,
    logLevel: 'off',
    maxResponseBytes: cap,
  });
  // Warm up the client and undici on a small request first, so that their code is not counted.
  await client.api.GET('/health').catch(() => undefined);
  globalThis.gc?.();
  const rssBefore = status('VmRSS');
  let reset = true;
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    reset = false;
  }
  const hwmBefore = status('VmHWM');
  const started = performance.now();
  const outcome = await client.api.GET('/v1/agents', { params: { query: { case: which } as never } }).then(
    () => 'resolved (wrong)',
    (error: { code?: string }) => error.code ?? String(error),
  );
  const seconds = (performance.now() - started) / 1000;
  const hwmAfter = status('VmHWM');
  const growth = reset ? hwmAfter - rssBefore : hwmAfter - hwmBefore;
  console.log(JSON.stringify({ which, outcome, rssBefore, hwmAfter, growth, reset, seconds }));
}

async function main(): Promise<void> {
  const server = await startServerProcess(fileURLToPath(new URL('./bench/memory-server.ts', import.meta.url)));
  let failed = false;
  try {
    for (const which of ['huge', 'bomb']) {
      const run = spawnSync(
        process.execPath,
        ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--child', server.url, which],
        {
          encoding: 'utf8',
        },
      );
      const line = run.stdout.trim().split('\n').pop() ?? '';
      let result: {
        outcome: string;
        rssBefore: number;
        hwmAfter: number;
        growth: number;
        reset: boolean;
        seconds: number;
      };
      try {
        result = JSON.parse(line) as typeof result;
      } catch {
        console.error(`child for ${which} failed:\n${run.stdout}\n${run.stderr}`);
        failed = true;
        continue;
      }
      const name = which === 'huge' ? '300 MB JSON body (chunked)' : 'gzip bomb (inflates to 400 MB)';
      const ok = result.outcome === 'RESPONSE_TOO_LARGE' && result.growth < LIMIT_MB;
      if (!ok) failed = true;
      console.log(
        `${name.padEnd(32)} ${result.outcome.padEnd(20)} peak RSS ${result.hwmAfter.toFixed(1)} MB, ` +
          `growth ${result.growth.toFixed(1)} MB over ${result.rssBefore.toFixed(1)} MB (${result.reset ? 'VmHWM reset' : 'VmHWM delta'}), ` +
          `${result.seconds.toFixed(2)} s; goal < ${LIMIT_MB} MB: ${ok ? 'met' : 'NOT met'}`,
      );
    }
  } finally {
    await server.stop();
  }
  if (failed) process.exitCode = 1;
}

if (process.argv[2] === '--child') await child(process.argv[3]!, process.argv[4]!);
else await main();
