/**
 * @module outputs
 * Which reports one run writes, and where: `--report text,json,junit,html,har,markdown`
 * names formats, `--out FILE` (repeatable) names files whose extension gives
 * the format, `--out-dir DIR` takes every named format that has no file. At
 * most one report goes to stdout; when none does, the text report does too.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RunReport } from '../engine/run-report.js';
import { renderHar, type TimedExchange } from '../report/har.js';
import { renderHtml } from '../report/html.js';
import { renderJson } from '../report/json.js';
import { renderJunit } from '../report/junit.js';
import { renderMarkdown } from '../report/markdown.js';
import { renderText } from '../report/text.js';

export const FORMATS = ['text', 'json', 'junit', 'html', 'har', 'markdown'] as const;
export type OutputFormat = (typeof FORMATS)[number];

/** One report to write: to `file`, or to stdout when `file` is unset. */
export interface Output {
  format: OutputFormat;
  file?: string;
}

/** File extension → format, for `--out`. */
const BY_EXTENSION: Record<string, OutputFormat> = {
  '.txt': 'text',
  '.text': 'text',
  '.json': 'json',
  '.xml': 'junit',
  '.html': 'html',
  '.htm': 'html',
  '.har': 'har',
  '.md': 'markdown',
  '.markdown': 'markdown',
};

/** Format → file name under `--out-dir`. */
export const FILE_NAMES: Record<OutputFormat, string> = {
  text: 'grantex-conformance.txt',
  json: 'grantex-conformance.json',
  junit: 'grantex-conformance.junit.xml',
  html: 'grantex-conformance.html',
  har: 'grantex-conformance.har',
  markdown: 'grantex-conformance.md',
};

/** A combination of `--report`, `--out`, `--out-dir` that names no clear set of files (exit 2). */
export class OutputError extends Error {
  override name = 'OutputError';
}

/** The formats a `--report` list names (comma-separated, repeatable). @throws {OutputError} */
export function parseFormats(values: readonly string[]): OutputFormat[] {
  const formats: OutputFormat[] = [];
  for (const name of values.flatMap((value) => value.split(',')).map((value) => value.trim())) {
    if (name === '') continue;
    if (!(FORMATS as readonly string[]).includes(name))
      throw new OutputError(`--report takes ${FORMATS.join(', ')} (got ${JSON.stringify(name)})`);
    if (!formats.includes(name as OutputFormat)) formats.push(name as OutputFormat);
  }
  return formats;
}

/** Pairs formats and files. @throws {OutputError} */
export function planOutputs(formats: readonly OutputFormat[], files: readonly string[], dir?: string): Output[] {
  const outputs: Output[] = [];
  for (const file of files) {
    const extension = /\.[^./\\]+$/.exec(file)?.[0]?.toLowerCase() ?? '';
    // `--report junit --out results.out`: one format and one file go together, whatever the extension.
    const format = files.length === 1 && formats.length === 1 ? formats[0] : BY_EXTENSION[extension];
    if (format === undefined)
      throw new OutputError(
        `--out ${file}: the extension does not name a format (${Object.keys(BY_EXTENSION).join(' ')}); give one --report with it`,
      );
    outputs.push({ format, file });
  }
  const rest = formats.filter((format) => !outputs.some((output) => output.format === format));
  if (dir !== undefined) {
    for (const format of rest.length > 0 || outputs.length > 0 ? rest : FORMATS)
      outputs.push({ format, file: join(dir, FILE_NAMES[format]) });
    return outputs;
  }
  if (rest.length > 1)
    throw new OutputError(
      `--report ${rest.join(',')}: only one report can go to stdout; give --out FILE for each, or --out-dir DIR`,
    );
  if (rest[0] === 'har') throw new OutputError('--report har needs --out FILE.har or --out-dir DIR');
  if (rest.length === 1) outputs.push({ format: rest[0]! });
  else if (outputs.length === 0) outputs.push({ format: 'text' });
  return outputs;
}

/** What the writers need besides the report. */
export interface OutputContext {
  verbose: boolean;
  /** The run's exchanges, for HAR (collected only when a HAR is asked for). */
  exchanges?: readonly TimedExchange[];
  /** Secrets the HAR shows as variables. */
  secrets?: ReadonlyArray<{ label: string; secret: string }>;
  version: string;
}

/** One report as text. */
export function renderOutput(report: RunReport, format: OutputFormat, context: OutputContext): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'junit':
      return renderJunit(report);
    case 'html':
      return renderHtml(report);
    case 'markdown':
      return renderMarkdown(report);
    case 'har':
      return renderHar(context.exchanges ?? [], { secrets: context.secrets ?? [], version: context.version });
    case 'text':
      return renderText(report, { verbose: context.verbose });
  }
}

/** Writes every output; the text summary goes to stdout when no report does. Returns the files written. */
export function writeOutputs(
  report: RunReport,
  outputs: readonly Output[],
  context: OutputContext,
  stdout: (text: string) => void,
): string[] {
  const written: string[] = [];
  for (const output of outputs) {
    const text = renderOutput(report, output.format, context);
    if (output.file === undefined) stdout(text);
    else {
      mkdirSync(dirname(output.file), { recursive: true });
      writeFileSync(output.file, text);
      written.push(output.file);
    }
  }
  if (!outputs.some((output) => output.file === undefined)) stdout(renderText(report, { verbose: context.verbose }));
  return written;
}
