/**
 * @module findings
 * What a check that reports several distinct problems attaches to its result:
 * each with its own shrunk request, seed and replay. The reporters (text,
 * JSON, JUnit, HTML) render them without knowing which area made them.
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
  /** What `--replay` takes: `<property>.<fast-check path>`. */
  path: string;
  /** Arguments that re-run exactly this case (`--only … --seed … --replay …`). */
  replay: string;
  /** The shrunk request and its answer as curl. */
  transcript: string[];
  /** Found by a fixed example, so it happens on every run. */
  deterministic: boolean;
  shrinks: number;
}

/** `"201"` matches 201, `"4XX"` any 4xx, `"default"` anything. */
export function documents(documented: readonly string[], status: number): boolean {
  const exact = String(status);
  return documented.some((key) => key === exact || key.toUpperCase() === `${exact[0]}XX` || key === 'default');
}
