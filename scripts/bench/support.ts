/**
 * Timing helpers shared by the benches. The machine is small and shared, so
 * contenders are interleaved in short chunks (rotating who goes first): a
 * burst of background load then hits every contender alike, and ratios
 * measured in the same run stay meaningful even when absolute ops/s drift.
 */

export interface Contender {
  name: string;
  /** Verifies one token; must throw on failure so a broken contender cannot look fast. */
  run(token: string): unknown;
  /** True when `run` returns a promise; synchronous contenders are timed in a plain loop. */
  async: boolean;
}

export interface Result {
  name: string;
  opsPerSecond: number;
}

export interface CompareOptions {
  /** Passes over the whole token list. */
  rounds: number;
  /** Tokens per interleaved chunk. */
  chunk: number;
  /** Untimed verifications per contender first, so every one is JIT-warm. */
  warmup: number;
}

async function time(contender: Contender, tokens: readonly string[]): Promise<number> {
  const start = performance.now();
  if (contender.async) for (const token of tokens) await contender.run(token);
  else for (const token of tokens) contender.run(token);
  return performance.now() - start;
}

/** Ops/s of each contender over `rounds` passes of `tokens`, interleaved chunk by chunk. */
export async function compare(contenders: readonly Contender[], tokens: readonly string[], options: CompareOptions): Promise<Result[]> {
  const warm = Array.from({ length: options.warmup }, (_, i) => tokens[i % tokens.length]!);
  for (const contender of contenders) await time(contender, warm);
  const elapsed = contenders.map(() => 0);
  let turn = 0;
  for (let round = 0; round < options.rounds; round++) {
    for (let start = 0; start < tokens.length; start += options.chunk) {
      const slice = tokens.slice(start, start + options.chunk);
      for (let k = 0; k < contenders.length; k++) {
        const i = (k + turn) % contenders.length;
        elapsed[i]! += await time(contenders[i]!, slice);
      }
      turn++;
    }
  }
  const ops = tokens.length * options.rounds;
  return contenders.map((contender, i) => ({ name: contender.name, opsPerSecond: (ops / elapsed[i]!) * 1000 }));
}

/** Prints ops/s and the ratio of each result to the first one (the baseline); true when every goal is met. */
export function report(title: string, results: readonly Result[], goals: Record<string, number> = {}): boolean {
  const baseline = results[0]!.opsPerSecond;
  const width = Math.max(...results.map((r) => r.name.length));
  console.log(`\n${title}`);
  let met = true;
  for (const result of results) {
    const ratio = result.opsPerSecond / baseline;
    const goal = goals[result.name];
    if (goal !== undefined && ratio < goal) met = false;
    const verdict = goal === undefined ? '' : `  goal >= ${goal}x: ${ratio >= goal ? 'met' : 'NOT met'}`;
    console.log(`  ${result.name.padEnd(width)}  ${Math.round(result.opsPerSecond).toString().padStart(9)} ops/s  ${ratio.toFixed(2).padStart(6)}x${verdict}`);
  }
  return met;
}
