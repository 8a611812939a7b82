/**
 * @module report/json
 * The machine report: the whole {@link RunReport} as JSON.
 */
import type { RunReport } from '../engine/run-report.js';

export function renderJson(report: RunReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
