/**
 * @module report/json
 * The machine report: the whole {@link RunReport} as JSON, with the version
 * of its schema (report.schema.json, published in the package as
 * `grantex/report.schema.json`).
 */
import type { RunReport } from '../engine/run-report.js';

/** Version of report.schema.json the JSON report follows. */
export const REPORT_SCHEMA_VERSION = 1;

export function renderJson(report: RunReport): string {
  return `${JSON.stringify({ schemaVersion: REPORT_SCHEMA_VERSION, ...report }, null, 2)}\n`;
}
