/**
 * @module test/support/long-files-first
 * A vitest sequencer that starts the known long files first. On a fresh clone
 * vitest has no durations yet and orders files by size, so the small
 * self-test file (minutes of work) started last and ran alone on one worker
 * while the other sat idle. Everything else keeps vitest's own order.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** The longest files of `npm test`, longest first (see the slowest-files table a run prints). */
export const LONG_FILES = [
  'test/conformance/selftest.test.ts',
  'test/conformance/rate-limits.test.ts',
  'test/client/pack.test.ts',
  'test/conformance/fuzz.test.ts',
  'test/conformance/deployment.test.ts',
  'test/conformance/variants.test.ts',
  'test/conformance/report-secrets.test.ts',
  'test/conformance/ci-run.test.ts',
];

/** Its place among the long files, or after them all. */
function rank(file: TestSpecification): number {
  const index = LONG_FILES.findIndex((path) => file.moduleId.replaceAll('\\', '/').endsWith(path));
  return index < 0 ? LONG_FILES.length : index;
}

export default class LongFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    // Array.prototype.sort is stable: the rest stays in vitest's order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}
