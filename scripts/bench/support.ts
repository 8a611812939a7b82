/**
 * Timing helpers shared by the benches. The machine is small and shared, so
 * contenders are interleaved in short chunks (rotating who goes first), and a
 * contender's ratio to the baseline is the median, over chunks, of the ratio
 * of their times on that same chunk: a burst of background load spoils a few
 * chunks, not the verdict. Process CPU time is reported beside wall time, as
 * it barely moves with load.
 */
import { availableParallelism, loadavg } from 'node:os';

export interface Contender {
  name: string;
  /** Verifies one token; must throw on failure so a broken contender cannot look fast. */
  run(token: string): unknown;
  /** True when `run` returns a promise; synchronous contenders are timed in a plain loop. */
  async: boolean;
}

export interface Result {
  name: string;
  /** Wall-clock throughput over all chunks. */
  opsPerSecond: number;
  /** Process CPU time (all threads) per operation, in µs. */
  cpuMicrosPerOp: number;
  /** Per-chunk wall times (ms) and CPU times (µs), in chunk order. */
  wall: number[];
  cpu: number[];
}

export interface CompareOptions {
  /** Passes over the whole token list. */
  rounds: number;
  /** Tokens per interleaved chunk. */
  chunk: number;
  /** Verified untimed by every contender first, so each is JIT-warm; keep them apart from the timed list. */
  warmup: readonly string[];
}

async function time(contender: Contender, tokens: readonly string[]): Promise<{ wallMs: number; cpuMicros: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  if (contender.async) for (const token of tokens) await contender.run(token);
  else for (const token of tokens) contender.run(token);
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMicros: used.user + used.system };
}

/** Times every contender on every chunk of `tokens`, `rounds` times over. */
export async function compare(contenders: readonly Contender[], tokens: readonly string[], options: CompareOptions): Promise<Result[]> {
  for (const contender of contenders) await time(contender, options.warmup);
  const results: Result[] = contenders.map((c) => ({ name: c.name, opsPerSecond: 0, cpuMicrosPerOp: 0, wall: [], cpu: [] }));
  let turn = 0;
  for (let round = 0; round < options.rounds; round++) {
    for (let start = 0; start < tokens.length; start += options.chunk) {
      const slice = tokens.slice(start, start + options.chunk);
      for (let k = 0; k < contenders.length; k++) {
        const i = (k + turn) % contenders.length;
        const spent = await time(contenders[i]!, slice);
        results[i]!.wall.push(spent.wallMs);
        results[i]!.cpu.push(spent.cpuMicros);
      }
      turn++;
    }
  }
  const ops = tokens.length * options.rounds;
  for (const result of results) {
    result.opsPerSecond = (ops / sum(result.wall)) * 1000;
    result.cpuMicrosPerOp = sum(result.cpu) / ops;
  }
  return results;
}

/**
 * Prints each contender's wall ops/s, CPU µs/op and both ratios to the first
 * result (the baseline), higher is better. Goals are judged on the wall
 * ratio; returns true when all are met.
 */
export function report(title: string, results: readonly Result[], goals: Record<string, number> = {}): boolean {
  const [baseline] = results;
  const width = Math.max(...results.map((r) => r.name.length));
  console.log(`\n${title}`);
  console.log(`  ${''.padEnd(width)}  ${'wall ops/s'.padStart(10)}  ${'ratio'.padStart(6)}  ${'cpu µs/op'.padStart(9)}  ${'ratio'.padStart(6)}`);
  let met = true;
  for (const result of results) {
    const ratio = medianRatio(baseline!.wall, result.wall);
    const cpuRatio = medianRatio(baseline!.cpu, result.cpu);
    const goal = goals[result.name];
    if (goal !== undefined && ratio < goal) met = false;
    const verdict = goal === undefined ? '' : `  goal >= ${goal}x: ${ratio >= goal ? 'met' : 'NOT met'}`;
    console.log(
      `  ${result.name.padEnd(width)}  ${Math.round(result.opsPerSecond).toString().padStart(10)}  ${ratio.toFixed(2).padStart(5)}x  ${result.cpuMicrosPerOp.toFixed(1).padStart(9)}  ${cpuRatio.toFixed(2).padStart(5)}x${verdict}`,
    );
  }
  return met;
}

/** One line on how busy the machine was, since wall-clock figures depend on it. */
export function describeLoad(): string {
  const [one] = loadavg();
  const cores = availableParallelism();
  const busy = one! > cores ? ` (busier than its ${cores} cores: wall figures are noisy, CPU ratios steadier)` : '';
  return `load average ${one!.toFixed(1)} on ${cores} cores${busy}`;
}

/** Median over chunks of baseline time / contender time: > 1 means faster than the baseline. */
function medianRatio(baseline: readonly number[], contender: readonly number[]): number {
  const ratios = contender.map((time, i) => baseline[i]! / time).sort((a, b) => a - b);
  const mid = ratios.length >> 1;
  return ratios.length % 2 === 1 ? ratios[mid]! : (ratios[mid - 1]! + ratios[mid]!) / 2;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
