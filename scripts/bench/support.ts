/**
 * Helpers shared by the benches. The machine is small and shared, so
 * contenders are interleaved round by round (rotating who goes first) on the
 * same work; each round yields its own ratio of a contender to the baseline,
 * and the figure printed is the median of those per-round ratios, with the
 * raw figures of the median round beside it so anyone can redo the division.
 * Servers run in their own processes ({@link startServerProcess}), so their
 * work never lands on the timed process.
 */
import { spawn } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

export interface Contender {
  name: string;
  /** Handles one input; must throw on failure so a broken contender cannot look fast. */
  run(input: string): unknown;
  /** True when `run` returns a promise; synchronous contenders are timed in a plain loop. */
  async: boolean;
}

/** One contender's figures: one entry per round, in round order. */
export interface Result {
  name: string;
  /** Wall time (ms) of each round. */
  wall: number[];
  /** Process CPU time (µs, all threads) of each round. */
  cpu: number[];
  /** Inputs handled per round. */
  ops: number[];
  /** Set when the contender failed a check that voids its figures (e.g. it accepted a tampered token). */
  voidReason?: string;
}

export interface CompareOptions {
  /** Passes over the whole input list. */
  passes: number;
  /** Inputs per round: one round runs every contender on the same slice. */
  chunk: number;
  /** Handled untimed by every contender first, so each is JIT-warm; keep them apart from the timed list. */
  warmup: readonly string[];
}

async function time(contender: Contender, inputs: readonly string[]): Promise<{ wallMs: number; cpuMicros: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  if (contender.async) for (const input of inputs) await contender.run(input);
  else for (const input of inputs) contender.run(input);
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMicros: used.user + used.system };
}

/** Times every contender on every slice of `inputs`; each slice is one round. */
export async function compare(
  contenders: readonly Contender[],
  inputs: readonly string[],
  options: CompareOptions,
): Promise<Result[]> {
  for (const contender of contenders) await time(contender, options.warmup);
  const results: Result[] = contenders.map((c) => ({ name: c.name, wall: [], cpu: [], ops: [] }));
  let turn = 0;
  for (let pass = 0; pass < options.passes; pass++) {
    for (let start = 0; start < inputs.length; start += options.chunk) {
      const slice = inputs.slice(start, start + options.chunk);
      for (let k = 0; k < contenders.length; k++) {
        const i = (k + turn) % contenders.length;
        const spent = await time(contenders[i]!, slice);
        results[i]!.wall.push(spent.wallMs);
        results[i]!.cpu.push(spent.cpuMicros);
        results[i]!.ops.push(slice.length);
      }
      turn++;
    }
  }
  return results;
}

/** The median of per-round ratios, and the round it came from (the lower middle one for an even count). */
export function medianRound(ratios: readonly number[]): { ratio: number; round: number; q1: number; q3: number } {
  const order = ratios.map((ratio, round) => ({ ratio, round })).sort((a, b) => a.ratio - b.ratio);
  const at = (q: number) => order[Math.floor((order.length - 1) * q)]!;
  const middle = at(0.5);
  return { ratio: middle.ratio, round: middle.round, q1: at(0.25).ratio, q3: at(0.75).ratio };
}

/**
 * Prints, for each contender: the median over rounds of (contender ops/s ÷
 * baseline ops/s in that round), higher is better, with its quartiles; the
 * raw ops/s of baseline and contender in the median round; and CPU µs per
 * operation over the whole run with the median of per-round CPU ratios
 * (baseline CPU ÷ contender CPU, steadier than wall time on a busy machine).
 * The first result is the baseline. A voided
 * contender prints VOID instead of figures. Returns true when every goal
 * (minimum median ratio by name) is met.
 */
export function report(title: string, results: readonly Result[], goals: Record<string, number> = {}): boolean {
  const [baseline] = results;
  const width = Math.max(...results.map((r) => r.name.length));
  const opsPerSecond = (r: Result, i: number) => (r.ops[i]! / r.wall[i]!) * 1000;
  console.log(`\n${title}`);
  console.log(
    `  ${''.padEnd(width)}  ${'median ratio'.padStart(12)}  ${'quartiles'.padStart(11)}  ${'median round: baseline ops/s, this ops/s'.padStart(40)}  ${'cpu µs/op'.padStart(9)}  ${'cpu ratio'.padStart(9)}`,
  );
  let met = true;
  for (const result of results) {
    const goal = goals[result.name];
    if (result.voidReason !== undefined || baseline!.voidReason !== undefined) {
      if (goal !== undefined) met = false;
      console.log(
        `  ${result.name.padEnd(width)}  ${'VOID'.padStart(12)}  ${result.voidReason ?? 'the baseline is void'}`,
      );
      continue;
    }
    const ratios = result.wall.map((_, i) => opsPerSecond(result, i) / opsPerSecond(baseline!, i));
    const { ratio, round, q1, q3 } = medianRound(ratios);
    if (goal !== undefined && ratio < goal) met = false;
    const raw = `round ${round + 1}: ${Math.round(opsPerSecond(baseline!, round))}, ${Math.round(opsPerSecond(result, round))}`;
    const cpuPerOp = sum(result.cpu) / sum(result.ops);
    const cpuRatio = medianRound(result.cpu.map((cpu, i) => baseline!.cpu[i]! / Math.max(cpu, 1))).ratio;
    const verdict = goal === undefined ? '' : `  goal >= ${goal}x: ${ratio >= goal ? 'met' : 'NOT met'}`;
    console.log(
      `  ${result.name.padEnd(width)}  ${`${ratio.toFixed(2)}x`.padStart(12)}  ${`${q1.toFixed(2)}–${q3.toFixed(2)}`.padStart(11)}  ${raw.padStart(40)}  ${cpuPerOp.toFixed(1).padStart(9)}  ${`${cpuRatio.toFixed(2)}x`.padStart(9)}${verdict}`,
    );
  }
  return met;
}

/** One line on how busy the machine was, since wall-clock figures depend on it. */
export function describeLoad(): string {
  const [one, five] = loadavg();
  const cores = availableParallelism();
  const busy = one! > cores ? ` (busier than its ${cores} cores: wall figures are noisy, CPU figures steadier)` : '';
  return `load average ${one!.toFixed(2)} (5 min ${five!.toFixed(2)}) on ${cores} cores${busy}`;
}

export function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

export interface ServerProcess {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  close(): Promise<void>;
}

/**
 * Starts `script` (a path relative to this directory) in its own Node process
 * with `env`, and resolves once it prints `listening <origin>` on stdout.
 */
export function startServerProcess(script: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', path], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before listening`)));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      output += text;
      const match = /^listening (\S+)$/m.exec(output);
      if (match === null) return;
      child.removeAllListeners('exit');
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      resolve({
        origin: match[1]!,
        close: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
