/**
 * @module subcommands
 * `grantex-conformance report FILE.json` renders a saved JSON report again in
 * any format (the HTML is byte for byte the one the run wrote), and
 * `grantex-conformance diff A.json B.json` lists the regressions and fixes
 * between two runs (exit 1 on a regression).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { diffExitCode, diffReports, renderDiff, visible } from '../report/diff.js';
import { parseReport, ReportFileError } from '../report/schema.js';
import { renderOutput, FORMATS, type OutputFormat } from './outputs.js';
import { VERSION } from './version.js';

export const REPORT_HELP = `grantex-conformance report: render a saved JSON report again

Usage: grantex-conformance report FILE.json [--format FORMAT] [--out FILE]

  --format FORMAT   text | json | junit | html | markdown (default text; har needs the run's traffic,
                    which a JSON report does not keep)
  --out FILE        write it to FILE instead of stdout
  --help            this text

Exit codes: 0 rendered · 2 unreadable file, not a report of a known schema version, or bad options
`;

export const DIFF_HELP = `grantex-conformance diff: compare two runs (e.g. staging against production, last release against this one)

Usage: grantex-conformance diff BEFORE.json AFTER.json [--format text|json] [--out FILE]

  A regression is a MUST failure or SHOULD warning in AFTER that BEFORE did not have;
  a fix is one that BEFORE had and that passes in AFTER.
  --format FORMAT   text (default) | json
  --out FILE        write it to FILE instead of stdout
  --help            this text

Exit codes: 0 no regression · 1 a regression · 2 either run could not be made, an unreadable file, or bad options
`;

type Io = { stdout: (text: string) => void; stderr: (text: string) => void };

function usage(command: string, message: string, io: Io): number {
  io.stderr(`grantex-conformance ${command}: ${visible(message)}\n(see grantex-conformance ${command} --help)\n`);
  return 2;
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
  });
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ReportFileError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function emit(text: string, out: string | undefined, io: Io): void {
  if (out === undefined) io.stdout(text);
  else writeFileSync(out, text);
}

/** `report FILE.json`; resolves to the exit code. */
export function reportCommand(args: readonly string[], io: Io): number {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    return usage('report', error instanceof Error ? error.message : String(error), io);
  }
  const { values, positionals } = parsed;
  if (values.help || values.version) {
    io.stdout(values.help ? REPORT_HELP : `grantex-conformance ${VERSION}\n`);
    return 0;
  }
  if (positionals.length !== 1) return usage('report', 'give exactly one JSON report file', io);
  const format = (values.format ?? 'text') as OutputFormat;
  if (!(FORMATS as readonly string[]).includes(format) || format === 'har')
    return usage('report', `--format takes ${FORMATS.filter((f) => f !== 'har').join(', ')}`, io);
  try {
    const report = parseReport(read(positionals[0]!), positionals[0]!);
    emit(renderOutput(report, format, { verbose: false, version: VERSION }), values.out, io);
    return 0;
  } catch (error) {
    if (error instanceof ReportFileError) return usage('report', error.message, io);
    throw error;
  }
}

/** `diff BEFORE.json AFTER.json`; resolves to the exit code. */
export function diffCommand(args: readonly string[], io: Io): number {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    return usage('diff', error instanceof Error ? error.message : String(error), io);
  }
  const { values, positionals } = parsed;
  if (values.help || values.version) {
    io.stdout(values.help ? DIFF_HELP : `grantex-conformance ${VERSION}\n`);
    return 0;
  }
  if (positionals.length !== 2) return usage('diff', 'give two JSON report files: BEFORE.json AFTER.json', io);
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') return usage('diff', '--format takes text or json', io);
  try {
    const [before, after] = positionals.map((file) => parseReport(read(file), file));
    const diff = diffReports(before!, after!);
    emit(format === 'json' ? `${JSON.stringify(diff, null, 2)}\n` : renderDiff(diff), values.out, io);
    return diffExitCode(diff);
  } catch (error) {
    if (error instanceof ReportFileError) return usage('diff', error.message, io);
    throw error;
  }
}
