/**
 * @module findings
 * What a check that reports several distinct problems attaches to its result
 * (each with its own shrunk request, seed and replay), and per-operation
 * coverage tables that an area attaches to the run report. The reporters
 * (text, JSON, JUnit, HTML) render both without knowing which area made them.
 */

/** One distinct problem found by a check, e.g. one (operation, status) of a fuzz check. */
export interface Finding {
  /** The operation it concerns (`agentsCreate`). */
  operationId: string;
  /** The status answered (0: no answer). */
  status: number;
  message: string;
  expected: string;
  observed: string;
  /** The shrunk input, as fast-check prints it. */
  counterexample: string;
  seed: number;
  path: string;
  /** Arguments that re-run exactly this case (`--only … --seed … --replay …`). */
  replay: string;
  /** The shrunk request and its answer as curl. */
  transcript: string[];
  /** Found by a fixed example, so it happens on every run. */
  deterministic: boolean;
  shrinks: number;
}

/** How one operation was exercised by an area. */
export interface OperationCoverage {
  operationId: string;
  method: string;
  template: string;
  requests: number;
  /** Statuses answered, ascending. */
  seen: number[];
  /** Statuses the spec documents (`200`, `4XX`, `default`). */
  documented: string[];
  /** Documented statuses never seen. */
  unseen: string[];
  /** Seen statuses the spec does not document. */
  undocumented: number[];
  /** Why the operation was not (fully) exercised, when it was not. */
  limitedBecause?: string;
}

/** A per-operation coverage table of one area. */
export interface Coverage {
  area: string;
  title: string;
  operations: OperationCoverage[];
}

/** `"201"` matches 201, `"4XX"` any 4xx, `"default"` anything. */
export function documents(documented: readonly string[], status: number): boolean {
  const exact = String(status);
  return documented.some((key) => key === exact || key.toUpperCase() === `${exact[0]}XX` || key === 'default');
}

/** One line per operation: what was seen against what is documented. */
export function coverageLines(coverage: Coverage): string[] {
  const exercised = coverage.operations.filter((op) => op.requests > 0).length;
  const width = Math.max(...coverage.operations.map((op) => op.operationId.length));
  const lines = [`${coverage.title}: ${exercised}/${coverage.operations.length} operations exercised`];
  for (const op of coverage.operations) {
    const seen = op.seen.length ? op.seen.join(',') : '-';
    const extra = [
      op.undocumented.length ? `UNDOCUMENTED ${op.undocumented.join(',')}` : '',
      op.unseen.length ? `unseen ${op.unseen.join(',')}` : '',
      op.limitedBecause ?? '',
    ].filter(Boolean);
    lines.push(`${op.operationId.padEnd(width)}  ${String(op.requests).padStart(4)} req  seen ${seen} of ${op.documented.join(',')}${extra.length ? ` · ${extra.join(' · ')}` : ''}`);
  }
  return lines;
}
