/**
 * @module context
 * What a check receives: the session (server, developers, helpers), its
 * adapted number of property runs and its seed, and `property()`, which runs
 * fast-check, keeps the transcript of the last failing attempt (the shrunk
 * counterexample) and turns a failure into a replayable report.
 */
import fc from 'fast-check';
import { CheckFailure, CheckSkipped, NotImplemented } from './failures.js';
import type { Coverage, Finding } from './findings.js';
import type { Http } from './http.js';
import type { Session } from './session.js';
import type { CheckInfo, Exchange } from './types.js';

/** A property failure: the shrunk counterexample with its seed, path and transcript. */
export class PropertyFailure extends CheckFailure {
  override name = 'PropertyFailure';
  readonly seed: number;
  readonly path: string;
  readonly counterexample: string;
  readonly shrinks: number;
  readonly exchanges: Exchange[];
  /** The failing sequence already rendered as curl (used instead of `exchanges` when set). */
  readonly transcript: string[] | undefined;
  /** The failing input is one of the check's fixed examples (so the failure is deterministic). */
  readonly viaExample: boolean;

  constructor(
    cause: CheckFailure,
    details: { seed: number; path: string; counterexample: string; shrinks: number; exchanges: Exchange[]; viaExample: boolean; transcript?: string[] },
  ) {
    super(cause.message, cause.expected, cause.observed);
    this.seed = details.seed;
    this.path = details.path;
    this.counterexample = details.counterexample;
    this.shrinks = details.shrinks;
    this.exchanges = details.exchanges;
    this.transcript = details.transcript;
    this.viaExample = details.viaExample;
  }
}

export interface PropertyOptions<Ts extends unknown[]> {
  /** Inputs always tried first (before random ones), to make known-important cases deterministic. */
  examples?: Ts[];
  /** Override the adapted run count (still capped by it). */
  maxRuns?: number;
}

/** Per-check view of the run. */
export class CheckContext {
  readonly check: CheckInfo;
  readonly session: Session;
  /** Property runs granted to this check after budget and rate-limit adaptation. */
  readonly runs: number;
  /** This check's seed (derived from the run seed and the check id). */
  readonly seed: number;
  /** Counterexample path to replay, if `--replay` targets this check. */
  readonly replayPath: string | undefined;
  readonly notes: string[] = [];
  /** Property runs actually executed (all `property()` calls of the check). */
  executedRuns = 0;
  /** Distinct problems, when the check reports more than one (each with its own replay). */
  readonly findings: Finding[] = [];
  /** Per-operation coverage tables the check adds to the run report. */
  readonly coverage: Coverage[] = [];

  constructor(check: CheckInfo, session: Session, runs: number, seed: number, replayPath: string | undefined) {
    this.check = check;
    this.session = session;
    this.runs = runs;
    this.seed = seed;
    this.replayPath = replayPath;
  }

  get http(): Http {
    return this.session.http;
  }

  /** Adds a line to the check's report. */
  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  skip(reason: string): never {
    throw new CheckSkipped(reason);
  }

  notImplemented(reason: string): never {
    throw new NotImplemented(reason);
  }

  /**
   * Runs `predicate` on inputs from `arbitraries` (`this.runs` times, examples
   * first). A predicate fails by throwing; a {@link CheckSkipped} (budget spent,
   * long rate limit) ends the property early without failing it.
   */
  async property<Ts extends [unknown, ...unknown[]]>(
    arbitraries: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> },
    predicate: (...args: Ts) => Promise<void>,
    options: PropertyOptions<Ts> = {},
  ): Promise<void> {
    let skipped: CheckSkipped | undefined;
    let lastFailing: Exchange[] = [];
    let attempts = 0;
    // Examples always run in full: they are the deterministic part of every property.
    const examples = options.examples?.length ?? 0;
    const numRuns = Math.max(1, examples, Math.min(this.runs, options.maxRuns ?? this.runs));
    const property = fc.asyncProperty(...(arbitraries as unknown as [fc.Arbitrary<unknown>]), async (...args: unknown[]) => {
      if (skipped) return;
      const capture = this.http.capture();
      attempts++;
      try {
        await predicate(...(args as Ts));
      } catch (error) {
        if (error instanceof CheckSkipped) {
          skipped = error;
          return;
        }
        lastFailing = [...capture.exchanges];
        throw error;
      } finally {
        capture.stop();
      }
    });
    const details = await fc.check(property, {
      seed: this.seed,
      numRuns,
      ...(this.replayPath !== undefined ? { path: this.replayPath, endOnFailure: true } : {}),
      ...(options.examples && this.replayPath === undefined ? { examples: options.examples as unknown as [unknown][] } : {}),
    });
    // Runs until the verdict (examples included), not the shrinking attempts after a failure.
    this.executedRuns += Math.min(attempts, details.numRuns);
    if (details.failed) {
      const raw = details.errorInstance;
      const cause =
        raw instanceof CheckFailure
          ? raw
          : new CheckFailure(
              `unexpected error: ${raw instanceof Error ? raw.message : String(raw)}`,
              'the check to complete',
              raw instanceof Error ? `${raw.name}: ${raw.message}` : String(raw),
            );
      throw new PropertyFailure(cause, {
        seed: details.seed,
        path: details.counterexamplePath ?? '',
        counterexample: describeCounterexample(details.counterexample),
        shrinks: details.numShrinks,
        exchanges: lastFailing,
        viaExample: this.replayPath === undefined && Number((details.counterexamplePath ?? '').split(':')[0]) < examples,
      });
    }
    if (skipped) {
      if (attempts <= 1) throw skipped;
      this.note(`stopped after ${attempts - 1} run(s): ${skipped.message}`);
    }
  }
}

function describeCounterexample(value: unknown): string {
  if (value === null || value === undefined) return '';
  return fc.stringify(value);
}
