/**
 * @module safety/report
 * The last step of every run, before any format renders it: every string of
 * the report has the user's keys and the credentials the server issued
 * redacted and its control characters made visible, in every field (message,
 * observed, notes, transcripts, the fatal message…), so no format can leak a
 * key or hand a terminal a sequence a server chose.
 */
import type { RunReport } from '../run-report.js';
import { visible } from './terminal.js';

/** Fields whose lines are the suite's own (curl commands and comment lines; a stack trace). */
const MULTILINE = new Set(['transcript', 'fatal']);
/** Left as they are: the throwaway keys the report tells the user to export (never a key the user gave). */
const UNTOUCHED = new Set(['createdKeys']);

/** Redacts and makes visible every string of `report`, in place; returns it. */
export function sanitizeReport(report: RunReport, redact: (text: string) => string): RunReport {
  const clean = (value: unknown, key: string): unknown => {
    if (typeof value === 'string') return visible(redact(value), { keepNewlines: MULTILINE.has(key) });
    if (Array.isArray(value)) return value.map((item) => clean(item, key));
    if (value !== null && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      for (const [name, field] of Object.entries(record)) if (!UNTOUCHED.has(name)) record[name] = clean(field, name);
      return record;
    }
    return value;
  };
  return clean(report, '') as RunReport;
}
