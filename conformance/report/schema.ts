/**
 * @module report/schema
 * Reads a saved JSON report back: parses it and checks it against
 * report.schema.json, so `report` and `diff` never render or compare a file
 * that is not a report of a version they know.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { RunReport } from '../engine/run-report.js';
import schema from './report.schema.json' with { type: 'json' };

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** The file is not a JSON report this version reads (exit 2). */
export class ReportFileError extends Error {
  override name = 'ReportFileError';
}

let validator: ReturnType<Ajv2020['compile']> | undefined;

/** The published schema of the JSON report. */
export const REPORT_SCHEMA: object = schema;

/** Problems of `data` against the schema, as `path: message` lines (empty: valid). */
export function reportProblems(data: unknown): string[] {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: false, strict: false });
    addFormats(ajv);
    validator = ajv.compile(schema);
  }
  if (validator(data)) return [];
  return (validator.errors ?? [])
    .slice(0, 5)
    .map((error) => `${JSON.stringify(error.instancePath || '/')}: ${error.message ?? 'invalid'}`);
}

/** Parses and checks a saved report. @throws {ReportFileError} */
export function parseReport(text: string, source: string): RunReport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ReportFileError(`${source}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof data === 'object' && data !== null && version !== undefined && version !== 1)
    throw new ReportFileError(`${source}: report schema version ${JSON.stringify(version)}; this version reads 1`);
  const problems = reportProblems(data);
  if (problems.length > 0)
    throw new ReportFileError(`${source}: not a grantex-conformance JSON report (${problems.join('; ')})`);
  return data as RunReport;
}
