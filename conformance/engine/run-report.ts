/**
 * @module run-report
 * The shape of a finished run: what the runner returns and every report
 * format renders.
 */
import type { BaselineOutcome } from './baseline.js';
import type { Area } from './options.js';
import type { CheckResult, Coverage, Extension, LearnedLimit, Tally } from './types.js';

/** Everything a reporter needs. */
export interface RunReport {
  tool: 'grantex-conformance';
  runId: string;
  baseUrl: string;
  /** True when the in-process reference server was the target. */
  reference: boolean;
  startedAt: string;
  durationMs: number;
  seed: number;
  runs: number;
  extensions: Partial<Record<Extension, boolean>>;
  results: CheckResult[];
  summary: Tally;
  byArea: Partial<Record<Area, Tally>>;
  requests: number;
  rateLimitWaitMs: number;
  learnedLimits: LearnedLimit[];
  cleanup: { deleted: number; failed: string[]; kept?: string[] };
  /**
   * Keys of the developers the run created (throwaways), so transcripts can be
   * re-run: `export LABEL=secret`. Never a key the user gave.
   */
  createdKeys?: Array<{ label: string; secret: string }>;
  notes: string[];
  /** Which operations of the spec the run exercised, and the statuses seen against those documented. */
  coverage?: Coverage;
  /** With `--expect`: expected failures, unexpected failures and unexpected passes. */
  baseline?: BaselineOutcome;
  /**
   * How this run was invoked, as a shell line: the command (`npx
   * grantex-conformance`, `npm run conformance --`) and the run's flags, every
   * value quoted and every secret a variable (`"$GRANTEX_API_KEY"`). A check's
   * replay arguments appended to it re-run that check. Set by the CLI.
   */
  replayCommand?: string;
  /** 0: every MUST passed (or, with a baseline, every MUST failure was expected); 1: a MUST failed; 2: the run could not be made. */
  exitCode: 0 | 1 | 2;
  fatal?: string;
}
