/**
 * @module test/support/slowest-files
 * A vitest reporter that prints the ten slowest test files at the end of a
 * run (time in tests and hooks, plus import), so a CI log shows where the
 * time goes without re-running anything. Used beside the default reporter.
 */
import type { Reporter, TestModule } from 'vitest/node';

/** How many files the table lists. */
const SHOWN = 10;

/** A file's time: importing it (collect) plus its tests and hooks. */
export function fileSeconds(module: Pick<TestModule, 'diagnostic'>): number {
  const diagnostic = module.diagnostic();
  return (diagnostic.collectDuration + diagnostic.duration) / 1000;
}

/** The table: the slowest files first, with their share of the summed file time. */
export function slowestTable(files: ReadonlyArray<{ name: string; seconds: number }>, shown = SHOWN): string {
  const total = files.reduce((sum, file) => sum + file.seconds, 0);
  const top = [...files].sort((a, b) => b.seconds - a.seconds).slice(0, shown);
  const width = Math.max(4, ...top.map((file) => file.name.length));
  const lines = top.map(
    (file) =>
      `  ${file.name.padEnd(width)}  ${file.seconds.toFixed(1).padStart(7)} s  ${total > 0 ? ((100 * file.seconds) / total).toFixed(0).padStart(3) : '  0'}%`,
  );
  return [
    `${top.length} slowest test files (of ${files.length}; ${total.toFixed(1)} s summed over files, which run in parallel):`,
    ...lines,
  ].join('\n');
}

export default class SlowestFiles implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    if (modules.length === 0) return;
    const files = modules.map((module) => ({ name: module.relativeModuleId, seconds: fileSeconds(module) }));
    process.stdout.write(`\n${slowestTable(files)}\n`);
  }
}
