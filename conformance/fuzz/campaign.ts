/**
 * @module fuzz/campaign
 * The fuzzing phase: for every operation of the spec, valid requests
 * generated from its schemas and negative requests (one violation each, every
 * mutation tried as a fixed example), each answer judged by the five fuzz
 * checks. A failing input is shrunk (within a request budget) and reported
 * once per (check, operation, status) with its curl, seed and replay path.
 * The phase runs once per session; every fuzz check reads its findings.
 */
import fc from 'fast-check';
import { CheckSkipped } from '../engine/failures.js';
import { extensionOfTags } from '../engine/types.js';
import type { Finding } from '../engine/findings.js';
import { formatReplay, type ReplayTarget } from '../engine/context.js';
import { BudgetExhausted, NetworkError, transcript, type Exchange } from '../http/http.js';
import { Contract } from '../reference/http/validate.js';
import type { Developer } from '../engine/session/types.js';
import type { Session } from '../engine/session/session.js';
import { clauseMakingInvalid } from './clauses.js';
import type { Mutation, RawBody, RequestInput } from './mutations.js';
import { fuzzOperations, sendingOrder, type FuzzOperation } from './operations.js';
import { createPool, type Pool } from './pool.js';
import { FUZZ_CHECKS, judge, type FuzzCheckId, type Judgement, type RequestKind } from './judge.js';
import { exampleInput, fallbackInput, mutationsFor, requestInputs, spread, validInput } from './inputs.js';
import { afterAnswer, requestOf } from './request.js';

export interface CampaignSettings {
  /** Seed of the whole phase (each property derives its own). */
  seed: number;
  /** Run seed, for replay commands. */
  runSeed: number;
  /** Random valid requests per operation (fixed examples come on top). */
  positiveRuns: number;
  /** Random negative requests per operation, after every mutation was tried once. */
  negativeRuns: number;
  /** The case to replay: the property (its index) and the fast-check path. */
  replay?: ReplayTarget;
  /** The check whose id the replay commands name. */
  replayCheck: (check: FuzzCheckId) => string;
}

export interface CampaignResult {
  findings: Record<FuzzCheckId, Finding[]>;
  /** Operations not fuzzed, or cut short, and why. */
  limited: Array<{ operationId: string; why: string }>;
  notes: string[];
  /** Properties' runs until their verdict (shrinking excluded). */
  executedRuns: number;
}

/** Most distinct findings shrunk per property; more are only counted. */
const FINDINGS_PER_PROPERTY = 3;
/** Shrinking stops after this many more requests (the last failing input is reported). */
const SHRINK_REQUESTS = 40;
/** Share of the budget the phase leaves for the checks after it and cleanup. */
const RESERVE_SHARE = 0.15;
/** Against a small developer-wide rate limit, the phase sends at most this many windows' worth. */
const RATE_WINDOWS = 3;

const campaigns = new WeakMap<Session, Promise<CampaignResult>>();
const contracts = new WeakMap<object, Contract>();

/** The phase's result for this session, run on first use (`started`: by this call). */
export function campaign(
  session: Session,
  settings: CampaignSettings,
): { result: Promise<CampaignResult>; started: boolean } {
  const running = campaigns.get(session);
  if (running) return { result: running, started: false };
  const result = new Campaign(session, settings).run();
  campaigns.set(session, result);
  return { result, started: true };
}

/**
 * The developer the fuzzer acts as: the run's developer A, which is one the
 * suite created or the `--event-api-key` developer whenever the run has one.
 * `own` says whether events and configuration changes may happen under it
 * (never under a key the user gave for checking, even with --allow-side-effects).
 */
async function fuzzingDeveloper(session: Session): Promise<{ dev: Developer; own: boolean }> {
  const dev = session.devA;
  return { dev, own: dev.signedUp || dev.source === '--event-api-key' };
}

interface Property<T> {
  index: number;
  op: FuzzOperation;
  arbitrary: fc.Arbitrary<T>;
  examples: T[];
  numRuns: number;
  send(input: T): Promise<{ exchange: Exchange; judgements: Judgement[] } | undefined>;
  /** The input as a reader wants it in a finding. */
  describe(input: T): string;
}

class Campaign {
  readonly #session: Session;
  readonly #settings: CampaignSettings;
  readonly #contract: Contract;
  readonly #findings = Object.fromEntries(FUZZ_CHECKS.map((id) => [id, [] as Finding[]])) as Record<
    FuzzCheckId,
    Finding[]
  >;
  readonly #reported = new Set<string>();
  readonly #limited = new Map<string, string>();
  readonly #notes: string[] = [];
  #executed = 0;
  #dev!: Developer;
  #own = false;
  /** Set by `#fit` on a small budget or rate limit: no random requests, at most `#negativeCap` mutations per operation. */
  #lean = false;
  #negativeCap = Infinity;
  #pool: Pool = {};

  constructor(session: Session, settings: CampaignSettings) {
    this.#session = session;
    this.#settings = settings;
    let contract = contracts.get(session.contract.spec);
    if (!contract) {
      contract = new Contract(session.contract.spec);
      contracts.set(session.contract.spec, contract);
    }
    this.#contract = contract;
  }

  async run(): Promise<CampaignResult> {
    const spec = this.#session.contract.spec;
    const operations = fuzzOperations(spec);
    const replay = this.#settings.replay;
    try {
      ({ dev: this.#dev, own: this.#own } = await fuzzingDeveloper(this.#session));
      if (!this.#own)
        this.#notes.push(
          'no developer created by the suite: operations that emit events, write permanent records or change configuration were not fuzzed',
        );
      const setup = this.#session.http.capture();
      try {
        this.#pool = await createPool(this.#session, this.#dev, this.#notes);
      } finally {
        setup.stop();
      }
      const budget = this.#session.options.budget;
      if (!replay) this.#fit(operations, developerLimit(setup.exchanges));
      let replayed = false;
      for (const op of sendingOrder(operations)) {
        if (replayed) break;
        const why = this.#exclusion(op);
        if (why) {
          this.#limit(op, why);
          continue;
        }
        for (const property of this.#properties(op)) {
          if (replay && replay.property !== property.index) {
            // What the properties sent before it made (a budget allocated, say) is rebuilt from their fixed examples.
            if (!replayed) await this.#rebuild(property);
            continue;
          }
          if (replay) replayed = true;
          if (this.#session.http.budgetLeft < budget * RESERVE_SHARE)
            throw new BudgetExhausted(
              `fuzzing stopped: ${this.#session.http.budgetLeft} requests of the budget left for the rest of the run`,
            );
          try {
            await this.#check(property, replay?.path);
          } catch (error) {
            if (error instanceof BudgetExhausted) throw error;
            if (!(error instanceof CheckSkipped)) throw error;
            this.#limit(op, error.message);
          }
        }
      }
    } catch (error) {
      if (!(error instanceof CheckSkipped)) throw error;
      this.#notes.push(error.message);
    }
    if (replay && replay.property >= operations.length * 2)
      this.#notes.push(`replay ${formatReplay(replay)} names no fuzz property`);
    const limited = [...this.#limited].map(([operationId, why]) => ({ operationId, why }));
    return { findings: this.#findings, limited, notes: this.#notes, executedRuns: this.#executed };
  }

  /**
   * Scales the phase to the run: at most its share of the budget and, where
   * the server's developer-wide limit is small (`x-ratelimit-limit` on its
   * answers), a few windows' worth. Then only the fixed examples run, with at
   * most `#negativeCap` mutations per operation, spread over the kinds.
   */
  #fit(operations: readonly FuzzOperation[], limit: number | undefined): void {
    const budgetShare = this.#session.http.budgetLeft - this.#session.options.budget * RESERVE_SHARE;
    const allowance = Math.min(budgetShare, limit !== undefined ? limit * RATE_WINDOWS : Infinity);
    const included = operations.filter((op) => this.#exclusion(op) === undefined);
    const counts = included.map((op) => mutationsFor(this.#session.contract.spec, op).length);
    const full = included.reduce(
      (sum, _op, i) => sum + 1 + this.#settings.positiveRuns + counts[i]! + this.#settings.negativeRuns,
      0,
    );
    if (full <= allowance) return;
    this.#lean = true;
    let cap = Math.max(...counts, 1);
    while (cap > 2 && counts.reduce((sum, count) => sum + 1 + Math.min(count, cap), 0) > allowance) cap--;
    this.#negativeCap = cap;
    const why =
      limit !== undefined && limit * RATE_WINDOWS < budgetShare
        ? `the developer's rate limit of ${limit} per window`
        : `the request budget (${Math.floor(budgetShare)} for fuzzing)`;
    this.#notes.push(
      `fuzzing scaled to ${why}: fixed examples only, at most ${cap} invalid requests per operation (${full} planned at full size)`,
    );
  }

  #exclusion(op: FuzzOperation): string | undefined {
    const extension = extensionOfTags(op.tags);
    if (extension && !this.#session.offers(extension)) return `the server does not offer ${extension}`;
    if (op.policy.ownDeveloper && !this.#own) return `needs a developer the suite created (${op.policy.why})`;
    if (op.security === 'scimToken' && !this.#pool.scim) return 'no SCIM token';
    if (!op.policy.positive && op.policy.negatives === 'none') return op.policy.why ?? 'not fuzzed';
    return undefined;
  }

  #limit(op: FuzzOperation, why: string): void {
    const known = this.#limited.get(op.operationId);
    this.#limited.set(op.operationId, known ? `${known}; ${why}` : why);
  }

  #properties(op: FuzzOperation): Array<Property<unknown>> {
    const inputs = requestInputs(this.#session, this.#pool, op);
    const base = exampleInput(this.#contract, this.#pool, op, inputs);
    const cap = op.policy.cap ?? Infinity;
    const properties: Array<Property<unknown>> = [];
    const positives = this.#lean ? 1 : Math.min(cap <= 3 ? 1 : cap, 1 + this.#settings.positiveRuns);
    if (op.policy.positive && base) {
      properties.push({
        index: op.index * 2,
        op,
        arbitrary: inputs,
        examples: [base],
        numRuns: positives,
        send: (input) => this.#send(op, input as RequestInput, undefined, 'positive'),
        describe: (input) => `valid request ${describe(input)}`,
      } as Property<unknown>);
    }
    let mutations = mutationsFor(this.#session.contract.spec, op);
    if (Number.isFinite(cap)) mutations = spread(mutations, Math.max(0, cap - (op.policy.positive ? positives : 0)));
    if (Number.isFinite(this.#negativeCap)) mutations = spread(mutations, this.#negativeCap);
    if (mutations.length > 0) {
      const negativeBase = base ?? fallbackInput(this.#pool, op);
      const random =
        this.#lean || Number.isFinite(cap) || op.policy.negatives === 'syntax' ? 0 : this.#settings.negativeRuns;
      properties.push({
        index: op.index * 2 + 1,
        op,
        arbitrary: fc.record({ input: inputs, mutation: fc.nat({ max: mutations.length - 1 }) }),
        examples: mutations.map((_, mutation) => ({ input: negativeBase, mutation })),
        numRuns: mutations.length + random,
        send: (value) => {
          const { input, mutation } = value as { input: RequestInput; mutation: number };
          return this.#sendMutated(op, input, mutations[mutation]!);
        },
        describe: (value) => {
          const { input, mutation } = value as { input: RequestInput; mutation: number };
          return `${mutations[mutation]!.kind}: ${mutations[mutation]!.label}, applied to ${describe(input)}`;
        },
      } as Property<unknown>);
    }
    return properties;
  }

  // ------------------------------------------------------------ sending and judging

  async #sendMutated(
    op: FuzzOperation,
    input: RequestInput,
    mutation: Mutation,
  ): Promise<{ exchange: Exchange; judgements: Judgement[] } | undefined> {
    const mutated = mutation.apply(input);
    // Exactly one violation: a mutation that the schema still admits (a hostile string where any string goes) is judged as such.
    const kind: RequestKind = mutated.raw
      ? 'negative'
      : validInput(this.#contract, op, mutated.input)
        ? 'hostile'
        : 'negative';
    // Where valid requests are not allowed (they would change configuration), neither is a valid hostile one.
    if (kind === 'hostile' && !op.policy.positive) return undefined;
    return this.#send(op, mutated.input, mutated.raw, kind, mutation);
  }

  async #send(
    op: FuzzOperation,
    input: RequestInput,
    raw: RawBody | undefined,
    kind: RequestKind,
    mutation?: Mutation,
  ): Promise<{ exchange: Exchange; judgements: Judgement[] } | undefined> {
    // A generated "valid" input that the spec refuses says nothing about the server: skip it.
    if (kind === 'positive' && !validInput(this.#contract, op, input)) return undefined;
    const spec = requestOf(this.#dev, this.#pool, op, input, raw);
    let exchange: Exchange;
    try {
      exchange = await this.#session.http.request(spec);
      exchange.fromFuzz = true;
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
      const judgement: Judgement = {
        check: 'fuzz.no-server-error',
        status: 0,
        message: `${op.operationId}: the server did not answer`,
        expected: 'an answer',
        observed: error.message,
      };
      return {
        exchange: {
          method: spec.method,
          target: spec.path,
          status: 0,
          requestHeaders: {},
          responseHeaders: {},
          responseText: '',
          body: undefined,
          violations: [],
          seq: 0,
          url: spec.path,
          durationMs: 0,
          error: error.message,
        },
        judgements: [judgement],
      };
    }
    afterAnswer(this.#session, this.#dev, this.#pool, op, exchange);
    const clause = kind === 'negative' ? clauseMakingInvalid(op.operationId, mutation) : undefined;
    return { exchange, judgements: judge(this.#session.contract, op, kind, exchange, clause) };
  }

  // ------------------------------------------------------------ properties

  /** Replay only: sends a property's fixed examples, unjudged, to rebuild the state the full run had reached. */
  async #rebuild(property: Property<unknown>): Promise<void> {
    for (const example of property.examples) await property.send(example);
  }

  /**
   * Runs one property. Each fast-check run fails on the first judgement not
   * yet reported; from then on only that same (check, status) counts, so
   * shrinking keeps the finding it started with. Judgements seen on other
   * inputs are tried again, one at a time, up to {@link FINDINGS_PER_PROPERTY}.
   */
  async #check(property: Property<unknown>, replayPath: string | undefined): Promise<void> {
    const seed = deriveSeed(this.#settings.seed, `${property.op.operationId}:${property.index}`);
    const examples = property.examples.length;
    // Fixed examples: every one is sent (a finding does not hide the mutations after it), and reported without shrinking.
    if (replayPath === undefined) {
      for (const [index, example] of property.examples.entries()) {
        const sent = await property.send(example);
        this.#executed++;
        if (!sent) continue;
        for (const judgement of sent.judgements) {
          const key = findingKey(property.op, judgement);
          if (this.#reported.has(key)) continue;
          this.#reported.add(key);
          this.#report(property, judgement, sent.exchange, example, String(index), true, 0);
        }
      }
    }
    for (let round = 0; round < FINDINGS_PER_PROPERTY; round++) {
      let target: string | undefined;
      let failing: { exchange: Exchange; judgement: Judgement } | undefined;
      const pending = new Set<string>();
      let shrinkRequests = 0;
      let runs = 0;
      const run = fc.asyncProperty(property.arbitrary, async (input) => {
        if (failing && shrinkRequests >= SHRINK_REQUESTS) return true;
        if (failing) shrinkRequests++;
        else runs++;
        // The examples come first in fast-check's order and were sent above; a replay sends whatever its path names.
        if (!failing && replayPath === undefined && runs <= examples) return true;
        const sent = await property.send(input);
        if (!sent) return true;
        for (const judgement of sent.judgements) {
          const key = findingKey(property.op, judgement);
          if (this.#reported.has(key)) continue;
          if (target === undefined || key === target) {
            target = key;
            failing = { exchange: sent.exchange, judgement };
            return false;
          }
          if (!failing) pending.add(key);
        }
        return true;
      });
      const details = await fc.check(run, {
        seed,
        numRuns: property.numRuns,
        // The path counts examples first, so the examples are always passed, replay included.
        examples: property.examples.map((example) => [example]),
        ...(replayPath !== undefined ? { path: replayPath, endOnFailure: true } : {}),
      });
      if (round === 0)
        this.#executed += Math.max(0, Math.min(runs, details.numRuns) - (replayPath === undefined ? examples : 0));
      if (!details.failed || !failing || target === undefined) return;
      const fcPath = details.counterexamplePath ?? replayPath ?? '';
      this.#reported.add(target);
      const viaExample = replayPath === undefined && Number(fcPath.split(':')[0]) < examples;
      this.#report(
        property,
        failing.judgement,
        failing.exchange,
        details.counterexample?.[0],
        fcPath,
        viaExample,
        details.numShrinks,
      );
      if (replayPath !== undefined) return;
      pending.delete(target);
      if (pending.size === 0) return;
    }
  }

  #report(
    property: Property<unknown>,
    judgement: Judgement,
    exchange: Exchange,
    input: unknown,
    fcPath: string,
    deterministic: boolean,
    shrinks: number,
  ): void {
    const path = formatReplay({ property: property.index, path: fcPath });
    // Requests and answers may carry the pool's tokens or returned secrets: the report shows them redacted.
    const redact = this.#session.http.redact;
    this.#findings[judgement.check].push({
      operationId: property.op.operationId,
      status: judgement.status,
      message: redact(judgement.message),
      expected: judgement.expected,
      observed: redact(judgement.observed),
      counterexample: input === undefined ? '' : redact(property.describe(input)),
      seed: this.#settings.runSeed,
      path,
      replay: `--only ${this.#settings.replayCheck(judgement.check)} --seed ${this.#settings.runSeed} --replay ${path}`,
      transcript: transcript([exchange], this.#session.http.redact).map(shortenBody),
      deterministic,
      shrinks,
    });
  }
}

/** The smallest `x-ratelimit-limit` on the developer's general routes (not the route-specific authorize, token and signup buckets). */
function developerLimit(exchanges: readonly Exchange[]): number | undefined {
  const limits = exchanges
    .filter((exchange) => exchange.method === 'GET' && exchange.credentialLabel !== undefined)
    .map((exchange) => Number(exchange.responseHeaders['x-ratelimit-limit']))
    .filter((limit) => Number.isFinite(limit) && limit > 0);
  return limits.length > 0 ? Math.min(...limits) : undefined;
}

function findingKey(op: FuzzOperation, judgement: Judgement): string {
  return `${judgement.check}|${op.operationId}|${judgement.status}`;
}

/** fast-check's rendering of the input, with long strings cut (a 100 KB string stays readable). */
function describe(value: unknown): string {
  const text = fc
    .stringify(value)
    .replace(/"((?:[^"\\]|\\.){200})(?:[^"\\]|\\.)+"/g, (_all, head: string) => `"${head}…"`);
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}

/** Curl lines with a huge body are cut for reading; the replay command re-sends it in full. */
function shortenBody(entry: string): string {
  return entry.length > 4000
    ? `${entry.slice(0, 1500)}…(${entry.length} chars; the replay command sends it in full)…${entry.slice(-300)}`
    : entry;
}

/**
 * A property's own seed, stable for a phase seed and a property name (the
 * runner's per-check derivation, repeated here so this module does not import
 * the runner, which imports the checks).
 */
function deriveSeed(seed: number, name: string): number {
  let hash = 0x811c9dc5 ^ seed;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) & 0x7fffffff;
}
