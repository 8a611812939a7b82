/**
 * @module context
 * What a check receives: the session (server, developers, helpers), its
 * adapted number of property runs and its seed, and `property()`, which runs
 * fast-check, keeps the transcript of the last failing attempt (the shrunk
 * counterexample) and turns a failure into a replayable report.
 */
import fc from 'fast-check';
import { CheckFailure, CheckSkipped, NotImplemented, unexpectedResponse } from './failures.js';
import type { Finding } from './findings.js';
import { RATE_LIMITED_ROUTES, type Http } from '../http/http.js';
import type { Session } from './session/session.js';
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
  /** What `--replay` takes to run exactly this counterexample again (see {@link formatReplay}). */
  readonly replay: string;
  /** Why shrinking stopped early, if it did. */
  readonly shrinkStopped: string | undefined;

  constructor(
    cause: CheckFailure,
    details: {
      seed: number;
      path: string;
      counterexample: string;
      shrinks: number;
      exchanges: Exchange[];
      viaExample: boolean;
      replay: string;
      shrinkStopped?: string;
      transcript?: string[];
    },
  ) {
    super(cause.message, cause.expected, cause.observed);
    this.seed = details.seed;
    this.path = details.path;
    this.counterexample = details.counterexample;
    this.shrinks = details.shrinks;
    this.exchanges = details.exchanges;
    this.transcript = details.transcript;
    this.viaExample = details.viaExample;
    this.replay = details.replay;
    this.shrinkStopped = details.shrinkStopped;
  }
}

/**
 * A counterexample to replay: which `property()` call of the check (0 for the
 * first), the fast-check path, and for `fc.commands` the commands' own replay
 * path (which commands ran; fast-check cannot walk a commands shrink tree
 * without it).
 */
export interface ReplayTarget {
  property: number;
  path: string;
  commands?: string;
}

/** `[k.]path[~commands]`, e.g. `3:0:1`, `1.3:0:1`, `0:2~AAAB:F`. */
export function formatReplay(target: ReplayTarget): string {
  return `${target.property > 0 ? `${target.property}.` : ''}${target.path}${target.commands ? `~${target.commands}` : ''}`;
}

const REPLAY = /^(?:(\d+)\.)?(\d+(?::\d+)*)(?:~([A-Za-z0-9+/]*:[A-Za-z0-9+/]*))?$/;

/** Parses a `--replay` value; undefined when malformed. */
export function parseReplay(text: string): ReplayTarget | undefined {
  const match = REPLAY.exec(text);
  if (!match) return undefined;
  return {
    property: Number(match[1] ?? 0),
    path: match[2]!,
    ...(match[3] !== undefined ? { commands: match[3] } : {}),
  };
}

/** Bounds on shrinking one failure: it stops at whichever comes first, keeping the smallest failure so far. */
export interface ShrinkBudget {
  /** Requests all shrinking attempts of one failure may make. */
  requests: number;
  /** Time they may take, milliseconds. */
  timeMs: number;
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
  /** The counterexample to replay, if `--replay` targets this check. */
  readonly replay: ReplayTarget | undefined;
  readonly shrinkBudget: ShrinkBudget;
  readonly notes: string[] = [];
  /** Property runs actually executed (all `property()` calls of the check). */
  executedRuns = 0;
  /** Distinct problems, when the check reports more than one (each with its own replay). */
  readonly findings: Finding[] = [];
  /** `property()` calls so far: the index of the next one. */
  #properties = 0;

  constructor(
    check: CheckInfo,
    session: Session,
    runs: number,
    seed: number,
    replay: ReplayTarget | undefined,
    shrinkBudget: ShrinkBudget = { requests: 200, timeMs: 60_000 },
  ) {
    this.check = check;
    this.session = session;
    this.runs = runs;
    this.seed = seed;
    this.replay = replay;
    this.shrinkBudget = shrinkBudget;
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
   * `fc.commands` for a model-based property: use this instead of calling
   * `fc.commands` so that `--replay` can pass the commands' replay path.
   */
  commands<Model extends object, Real, CheckAsync extends boolean>(
    commands: Array<fc.Arbitrary<fc.AsyncCommand<Model, Real, CheckAsync>>>,
    constraints: Omit<fc.CommandsContraints, 'replayPath'> = {},
  ): fc.Arbitrary<Iterable<fc.AsyncCommand<Model, Real, CheckAsync>>> {
    const replayPath = this.replay?.property === this.#properties ? this.replay.commands : undefined;
    return fc.commands(commands, { ...constraints, ...(replayPath !== undefined ? { replayPath } : {}) });
  }

  /**
   * Runs `predicate` on inputs from `arbitraries` (`this.runs` times, examples
   * first). A predicate fails by throwing; a {@link CheckSkipped} (budget spent,
   * long rate limit) ends the property early without failing it. A failing
   * example is reported as is; a failing random input shrinks within
   * {@link shrinkBudget}. Under `--replay`, only the targeted `property()` call
   * runs, and only the counterexample.
   */
  async property<Ts extends [unknown, ...unknown[]]>(
    arbitraries: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> },
    predicate: (...args: Ts) => Promise<void>,
    options: PropertyOptions<Ts> = {},
  ): Promise<void> {
    const index = this.#properties++;
    const replaying = this.replay !== undefined;
    if (replaying && this.replay!.property !== index) return;
    let skipped: CheckSkipped | undefined;
    let lastFailing: Exchange[] = [];
    let attempts = 0;
    // Shrinking state: once a failure is seen, attempts count against the shrink budget.
    let failedAt: { attempt: number; viaExample: boolean; requests: number; time: number } | undefined;
    let shrinkStopped: string | undefined;
    let rateStopped: string | undefined;
    // Examples always run in full: they are the deterministic part of every property.
    const examples = options.examples?.length ?? 0;
    const numRuns = Math.max(1, examples, Math.min(this.runs, options.maxRuns ?? this.runs));
    const property = fc.asyncProperty(
      ...(arbitraries as unknown as [fc.Arbitrary<unknown>]),
      async (...args: unknown[]) => {
        if (skipped || shrinkStopped || rateStopped) return;
        if (!failedAt && !replaying && attempts >= Math.max(1, examples)) {
          // Random runs use only what the rate-limited routes have to spare in the current window.
          const scarce = this.#scarceRoute();
          if (scarce) {
            rateStopped = `random runs stopped after ${attempts - examples}: ${scarce}`;
            return;
          }
        }
        if (failedAt) {
          // A fixed example is reported as it is; a random input shrinks within the budget.
          if (failedAt.viaExample) shrinkStopped = 'a fixed example failed (not shrunk)';
          else if (this.http.requestCount - failedAt.requests >= this.shrinkBudget.requests)
            shrinkStopped = `shrink budget of ${this.shrinkBudget.requests} requests spent`;
          else if (Date.now() - failedAt.time >= this.shrinkBudget.timeMs)
            shrinkStopped = `shrink time of ${Math.round(this.shrinkBudget.timeMs / 1000)} s spent`;
          if (shrinkStopped) return;
        }
        const capture = this.http.capture();
        attempts++;
        try {
          await predicate(...(args as Ts));
        } catch (error) {
          if (error instanceof CheckSkipped) {
            // A skip while shrinking (budget, long 429) ends shrinking, not the verdict.
            if (failedAt) shrinkStopped = error.message;
            else skipped = error;
            return;
          }
          lastFailing = [...capture.exchanges];
          failedAt ??= {
            attempt: attempts,
            viaExample: !replaying && attempts <= examples,
            requests: this.http.requestCount,
            time: Date.now(),
          };
          throw error;
        } finally {
          capture.stop();
        }
      },
    );
    const details = await fc.check(property, {
      seed: this.seed,
      numRuns,
      // The path counts examples first, so a replay must be given the same examples.
      ...(options.examples ? { examples: options.examples as unknown as [unknown][] } : {}),
      ...(replaying ? { path: this.replay!.path, endOnFailure: true } : {}),
    });
    // Runs until the verdict (examples included), not the shrinking attempts after a failure.
    this.executedRuns += Math.min(attempts, details.numRuns);
    if (details.failed) {
      const raw = details.errorInstance;
      const cause = raw instanceof CheckFailure ? raw : unexpectedResponse(raw, lastFailing.at(-1));
      const shown = describeCounterexample(details.counterexample);
      const path = details.counterexamplePath ?? (replaying ? this.replay!.path : '');
      // fc.commands appends its replay path as a comment; it belongs in the replay token, not the counterexample.
      const commands =
        /replayPath="([A-Za-z0-9+/]*:[A-Za-z0-9+/]*)"/.exec(shown)?.[1] ??
        (replaying ? this.replay!.commands : undefined);
      const counterexample = shown.replace(/\s*\/\*replayPath="[^"]*"\*\//g, '');
      throw new PropertyFailure(cause, {
        seed: details.seed,
        path,
        counterexample,
        shrinks: details.numShrinks,
        exchanges: lastFailing,
        viaExample: Number(path.split(':')[0]) < examples,
        replay: formatReplay({ property: index, path, ...(commands !== undefined ? { commands } : {}) }),
        ...(shrinkStopped && !failedAt?.viaExample ? { shrinkStopped } : {}),
      });
    }
    if (rateStopped) this.note(rateStopped);
    if (skipped) {
      if (attempts <= 1) throw skipped;
      this.note(`stopped after ${attempts - 1} run(s): ${skipped.message}`);
    }
  }

  /** A rate-limited route this check uses whose window has no more than half its limit left, described; else undefined. */
  #scarceRoute(): string | undefined {
    const cost = this.check.property;
    if (!cost) return undefined;
    for (const route of RATE_LIMITED_ROUTES) {
      const perRun = route === 'POST /v1/authorize' ? cost.authorize : cost.token;
      if (!perRun) continue;
      const state = this.http.rateState(route);
      if (state && state.remaining < perRun + Math.ceil(state.limit / 2)) {
        return `${route} has ${state.remaining} of ${state.limit} left in this window (kept for the fixed examples and other checks)`;
      }
    }
    return undefined;
  }
}

function describeCounterexample(value: unknown): string {
  if (value === null || value === undefined) return '';
  return fc.stringify(value);
}
