/**
 * @module report/rerun
 * The shell lines a report hands to the reader: replay commands and the
 * exports that make transcripts re-runnable. Nothing a server chose reaches
 * them unchecked: a throwaway key is printed only when it has the shape of a
 * key, single-quoted; any other value is withheld.
 */
import type { RunReport } from '../engine/run-report.js';

/** `text` as one shell word: single-quoted unless it is plainly safe. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A key as servers issue them: letters, digits and a few separators, 8 to 256 characters. */
const KEY_SHAPE = /^[A-Za-z0-9._~+/=-]{8,256}$/;

/** Variable names the reports use: ours, never the server's. */
const LABEL_SHAPE = /^[A-Z][A-Z0-9_]{0,63}$/;

/**
 * The line that re-runs a check: the run's own invocation (`replayCommand`)
 * followed by the check's `args` (`--only … --seed … [--replay …]`). Reports
 * made outside the CLI fall back to `command` and the base URL.
 */
export function replayLine(report: RunReport, args: string, command = 'npm run conformance --'): string {
  if (report.replayCommand) return `${report.replayCommand} ${args}`;
  const target = report.reference ? '' : ` --base-url ${shellWord(report.baseUrl)}`;
  return `${command}${target} ${args}`;
}

/**
 * `export LABEL='key'` for each developer the run created (throwaways), so
 * transcripts can be pasted; a key that is not key-shaped is withheld with a
 * comment saying so (it is still in the JSON report's `createdKeys`).
 */
export function keyExports(report: RunReport): string[] {
  return (report.createdKeys ?? []).map((key) => {
    if (!LABEL_SHAPE.test(key.label)) return '# a created key with an unexpected name was left out';
    if (!KEY_SHAPE.test(key.secret))
      return `# ${key.label}: not printed, the server's key is not key-shaped (${KEY_SHAPE.source}); it is in the JSON report's createdKeys`;
    // Single quotes keep `$`, backticks and the like inert; the shape has no quote to end them.
    return `export ${key.label}='${key.secret}'`;
  });
}
