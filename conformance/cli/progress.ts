/**
 * @module progress
 * Progress for logs (stderr not a terminal, e.g. CI): one line per finished
 * area with the counts so far and the time, a line before every rate-limit
 * wait longer than 10 s with its reason, and a "still running" line whenever
 * nothing was printed for 30 s, so CI systems never see a silent job.
 * `--quiet` turns it off; on a terminal the CLI redraws one status line instead.
 */
import type { RateLimitWait } from '../http/http.js';
import type { CheckResult, Tally } from '../engine/types.js';

/** Waits shorter than this are not worth a line. */
const WAIT_WORTH_A_LINE_S = 10;
/** Longest silence: a line is printed at least this often. */
const HEARTBEAT_MS = 30_000;
/** How often the silence is checked (the gap between lines stays under HEARTBEAT_MS + this). */
const TICK_MS = 5_000;

export interface ProgressEvent {
  index: number;
  total: number;
  id: string;
  result?: CheckResult;
}

export class ProgressLog {
  readonly #write: (line: string) => void;
  readonly #now: () => number;
  readonly #started: number;
  #lastLine: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #tally: Tally = { pass: 0, fail: 0, warn: 0, 'not-implemented': 0, skip: 0 };
  #done = 0;
  #total = 0;
  /** Area of the last finished result, and whether its line is still owed. */
  #area: string | undefined;
  #running: { id: string; since: number } | undefined;

  constructor(write: (line: string) => void, now: () => number = Date.now) {
    this.#write = write;
    this.#now = now;
    this.#started = now();
    this.#lastLine = this.#started;
  }

  /** Starts the heartbeat (the timer never keeps the process alive). */
  start(target: string): void {
    this.#line(`checking ${target}`);
    this.#timer = setInterval(() => this.tick(), TICK_MS);
    this.#timer.unref();
  }

  /** Prints a "still running" line when nothing was printed for HEARTBEAT_MS. */
  tick(): void {
    if (this.#now() - this.#lastLine < HEARTBEAT_MS - TICK_MS / 2) return;
    const running = this.#running
      ? `${this.#running.id} (${seconds(this.#now() - this.#running.since)} in this check)`
      : 'set-up or clean-up';
    this.#line(`still running: ${running} · ${this.#done}/${this.#total || '?'} results so far`);
  }

  /** The runner's progress hook. */
  readonly onProgress = (event: ProgressEvent): void => {
    this.#total = event.total;
    if (!event.result) {
      // A check starts: if it opens a new area, the previous one is done.
      this.#finishArea(areaOf(event.id));
      this.#running = { id: event.id, since: this.#now() };
      return;
    }
    const result = event.result;
    this.#running = undefined;
    // Results of a new area with no start event (the contract verdicts) close the previous area first.
    const area = result.id.startsWith('contract.op.') ? 'contract verdicts per operation' : result.area;
    this.#finishArea(area);
    this.#done = event.index + 1;
    this.#tally[result.status]++;
    this.#area = area;
    if (this.#done === event.total) this.#finishArea(undefined);
  };

  /** The runner's rate-limit hook. */
  readonly onWait = (wait: RateLimitWait): void => {
    if (wait.seconds > WAIT_WORTH_A_LINE_S) this.#line(`waiting ${seconds(wait.seconds * 1000)}: ${wait.reason}`);
  };

  /** Stops the heartbeat. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #finishArea(next: string | undefined): void {
    if (this.#area === undefined || this.#area === next) return;
    const t = this.#tally;
    this.#line(
      `${this.#area} done · ${this.#done}/${this.#total} results · ${t.pass} pass, ${t.fail} fail, ${t.warn} warn, ${t.skip} skip, ${t['not-implemented']} n/i`,
    );
    this.#area = undefined;
  }

  #line(text: string): void {
    this.#lastLine = this.#now();
    this.#write(`grantex-conformance [${seconds(this.#lastLine - this.#started)}] ${text}\n`);
  }
}

function areaOf(id: string): string {
  return id.startsWith('contract.op.') ? 'contract verdicts per operation' : (id.split('.')[0] ?? id);
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
