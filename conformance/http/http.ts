/**
 * @module http
 * The suite's only way to talk to the server: raw `fetch` through a recorder
 * that keeps every exchange, enforces the request budget and `--max-rps`,
 * waits out 429 `Retry-After`, learns the server's rate limits and renders
 * exchanges as curl commands for failure transcripts.
 */
import { recordedResponse } from './contract.js';
import { CheckSkipped } from '../engine/failures.js';
import { BodyTooLarge, DEFAULT_MAX_RESPONSE_BYTES, readCapped } from './read-capped.js';
import { routeOf } from './routes.js';
import { sideEffectOf } from '../engine/side-effects.js';
import { shellQuote, visible } from '../engine/safety/terminal.js';
import type { Exchange, LearnedLimit, RequestSpec } from '../engine/types.js';
import { readBounded, type StreamLimits, STREAM_OPEN_DELAY_MS } from './stream.js';

export type { Credential, Exchange, LearnedLimit, RequestSpec } from '../engine/types.js';
export { routeOf } from './routes.js';

export interface HttpOptions {
  baseUrl: string;
  /** Per-request timeout in ms. */
  timeoutMs: number;
  /** Requests per second cap, 0 for none. */
  maxRps: number;
  /** Total requests allowed. */
  budget: number;
  /** Longest acceptable Retry-After in seconds. */
  maxRetryAfterS: number;
  /** Largest response body read, in bytes after content decoding. Default {@link DEFAULT_MAX_RESPONSE_BYTES}. */
  maxResponseBytes?: number;
  /** Called with every exchange once it is complete (validation, verbose log). */
  onExchange?: (exchange: Exchange) => void;
  /** Called before each wait on a 429's Retry-After (progress lines). */
  onWait?: (wait: RateLimitWait) => void;
}

/** A wait the recorder is about to make, and why. */
export interface RateLimitWait {
  /** `POST /v1/token`. */
  route: string;
  seconds: number;
  /** Why, in words: the 429 and what its headers said. */
  reason: string;
}

/** The request budget is spent: the check stops and is reported as skipped. */
export class BudgetExhausted extends CheckSkipped {
  override name = 'BudgetExhausted';
}

/**
 * The request would set off effects outside the run's own resources (events,
 * configuration changes) as a developer the run did not create. The check is skipped.
 */
export class SideEffectRefused extends CheckSkipped {
  override name = 'SideEffectRefused';
}

/** The server did not answer (connection refused, timeout). */
export class NetworkError extends Error {
  override name = 'NetworkError';
}

/** The answer's body passed `--max-response-bytes`: it was not read further (the exchange keeps the status). */
export class ResponseTooLarge extends NetworkError {
  override name = 'ResponseTooLarge';
}

const MAX_429_RETRIES = 4;

/** The routes a property's cost counts (see `RunCost`), which servers limit most tightly. */
export const RATE_LIMITED_ROUTES = ['POST /v1/authorize', 'POST /v1/token', 'POST /v1/token/refresh'] as const;

/** The route name of a limit shared by the developer's routes (learned from a 429 whose limit is not its route's). */
export const SHARED_BUDGET = 'developer-wide';

/** Records exchanges and applies the traffic policy. */
export type { StreamLimits } from './stream.js';

export class Http {
  readonly baseUrl: string;
  #options: HttpOptions;
  #seq = 0;
  #sent = 0;
  #nextSlot = 0;
  #waitedMs = 0;
  #listeners = new Set<(exchange: Exchange) => void>();
  #limits = new Map<string, LearnedLimit>();
  #secrets = new Map<string, string>();
  #windows = new Map<string, { limit: number; remaining: number; resetsAt: number; windowS: number }>();
  /** Secrets of developers the run did not create, with where the key came from and what is refused. */
  #guarded = new Map<string, { source: string; only: 'destructive' | 'all' }>();
  #changes: string[] = [];

  constructor(options: HttpOptions) {
    this.#options = options;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  /** Requests sent so far (429 retries included). */
  get requestCount(): number {
    return this.#sent;
  }
  get budgetLeft(): number {
    return Math.max(0, this.#options.budget - this.#sent);
  }
  /** Time spent waiting on 429 Retry-After, ms. */
  get rateLimitWaitMs(): number {
    return this.#waitedMs;
  }
  /** Rate limits learned from 429 answers, by route (`POST /v1/authorize`). */
  get learnedLimits(): LearnedLimit[] {
    return [...this.#limits.values()];
  }

  /** Makes `secret` print as `$label` in transcripts (credentials register themselves when used). */
  registerSecret(secret: string, label: string): void {
    if (secret.length >= MIN_SECRET_LENGTH) this.#secrets.set(secret, label);
  }

  /**
   * Refuses, from now on, every request with a side effect (see `SIDE_EFFECTS`)
   * made with `secret`: a developer the run did not create. `source` names the
   * key in the refusal (`--api-key`, `GRANTEX_API_KEY`). With `only:
   * 'destructive'` (`--allow-side-effects`) the others are sent, and listed in
   * {@link changes}; those that can revoke or change what existed before the
   * run are refused all the same.
   */
  guard(secret: string, source: string, only: 'destructive' | 'all' = 'all'): void {
    this.#guarded.set(secret, { source, only });
  }

  /** Side effects sent under a key the run did not create (`--allow-side-effects`), one line each, first 50. */
  get changes(): readonly string[] {
    return this.#changes;
  }

  /**
   * Replaces every registered secret in `text` by its `$label`, then hides what
   * the server handed out: JWT signatures (header and claims stay readable) and
   * the values of secret-bearing JSON members (refresh tokens, client and
   * webhook secrets, passwords, SCIM tokens).
   */
  readonly redact = (text: string): string => redactSecrets(text, this.#secrets);

  /** Collects every exchange made until `stop()` is called. Captures nest. */
  capture(): { exchanges: Exchange[]; stop(): Exchange[] } {
    const exchanges: Exchange[] = [];
    const listener = (exchange: Exchange) => void exchanges.push(exchange);
    this.#listeners.add(listener);
    return {
      exchanges,
      stop: () => {
        this.#listeners.delete(listener);
        return exchanges;
      },
    };
  }

  /** Sends a request; on 429 waits `Retry-After` and sends it again (the 429 is recorded too). */
  async request(spec: RequestSpec): Promise<Exchange> {
    for (let attempt = 0; ; attempt++) {
      const exchange = await this.#send(spec);
      if (exchange.status !== 429 || attempt >= MAX_429_RETRIES) return exchange;
      const waitS = retryAfterSeconds(exchange.responseHeaders['retry-after']);
      this.#learn(spec, exchange, waitS);
      if (waitS > this.#options.maxRetryAfterS) {
        throw new CheckSkipped(
          `rate limited on ${spec.method} ${routeOf(exchange.target)}: Retry-After ${waitS}s exceeds the ${this.#options.maxRetryAfterS}s limit (--max-retry-after)`,
        );
      }
      const route = `${spec.method.toUpperCase()} ${routeOf(exchange.target)}`;
      const limit = exchange.responseHeaders['x-ratelimit-limit'];
      this.#options.onWait?.({
        route,
        seconds: waitS + 0.25,
        // The limit header is the server's text: shown only when it is a plain number.
        reason: `429 on ${route}${limit !== undefined && /^\d{1,9}$/.test(limit) ? ` (limit ${limit} per window)` : ''}, Retry-After ${waitS} s`,
      });
      await sleep(waitS * 1000 + 250);
      this.#waitedMs += waitS * 1000 + 250;
    }
  }

  /**
   * A 429's limit, attributed: to its own route when the route's earlier
   * answers carried the same `x-ratelimit-limit` (or none were seen), else to a
   * budget shared by the developer's routes (the limit other routes showed),
   * so a developer-wide 100/min is never reported as the limit of whichever
   * route met it.
   */
  #learn(spec: RequestSpec, exchange: Exchange, waitS: number): void {
    const own = `${spec.method.toUpperCase()} ${routeOf(exchange.target)}`;
    const limit = Number(exchange.responseHeaders['x-ratelimit-limit']);
    const known = Number.isFinite(limit) && limit > 0;
    const ownSeen = this.#windows.get(own)?.limit;
    const shared =
      known &&
      ownSeen !== undefined &&
      ownSeen !== limit &&
      [...this.#windows.entries()].some(([route, window]) => route !== own && window.limit === limit);
    const route = shared ? SHARED_BUDGET : own;
    const previous = this.#limits.get(route);
    const longestWaitS = Math.max(waitS, previous?.longestWaitS ?? 0);
    if (known) this.#limits.set(route, { route, limit, longestWaitS });
    else if (!previous) this.#limits.set(route, { route, limit: 1, longestWaitS });
    else previous.longestWaitS = longestWaitS;
  }

  /** Remembers the `x-ratelimit-*` state each route's last answer reported. */
  #observe(exchange: Exchange): void {
    const limit = Number(exchange.responseHeaders['x-ratelimit-limit']);
    if (!Number.isFinite(limit) || limit <= 0) return;
    const remaining = Number(exchange.responseHeaders['x-ratelimit-remaining']);
    const reset = Number(exchange.responseHeaders['x-ratelimit-reset']);
    const route = `${exchange.method} ${routeOf(exchange.target)}`;
    const windowS = Math.max(this.#windows.get(route)?.windowS ?? 0, Number.isFinite(reset) ? reset : 0);
    this.#windows.set(route, {
      limit,
      remaining: Number.isFinite(remaining) ? remaining : limit,
      resetsAt: Date.now() + (Number.isFinite(reset) ? reset * 1000 : 0),
      windowS,
    });
  }

  /**
   * What the server's headers say is left of `route`'s window now: undefined
   * when it never said, the full limit once the window has reset.
   */
  rateState(route: string): { limit: number; remaining: number; windowS: number } | undefined {
    const window = this.#windows.get(route);
    if (!window) return undefined;
    const remaining = Date.now() >= window.resetsAt ? window.limit : window.remaining;
    return { limit: window.limit, remaining, windowS: window.windowS };
  }

  /**
   * Sends one request whose answer may never end (an event stream) and records
   * what arrived within `maxMs` and `maxBytes`, or until `enough` says so;
   * `whileOpen` runs once the response headers are in. Not retried.
   */
  stream(spec: RequestSpec, limits: StreamLimits): Promise<Exchange> {
    return this.#send(spec, limits);
  }

  async #send(spec: RequestSpec, limits?: StreamLimits): Promise<Exchange> {
    const guarded = spec.auth && typeof spec.auth !== 'string' ? this.#guarded.get(spec.auth.secret) : undefined;
    const effect = guarded && sideEffectOf(spec.method, this.#url(spec).pathname);
    if (guarded && effect) {
      if (guarded.only === 'all' || effect.destructive) {
        throw new SideEffectRefused(
          `${effect.method} ${effect.route} would set off ${effect.effect} for the developer of the key from ${guarded.source}, which this run did not create; ` +
            (effect.destructive
              ? 'it can revoke or change what existed before the run, so it is never sent under such a key (not even with --allow-side-effects): let the suite create a developer (POST /v1/signup) or give --event-api-key'
              : 'let the suite create one (POST /v1/signup), give --event-api-key, or pass --allow-side-effects'),
        );
      }
    }
    if (this.#sent >= this.#options.budget) {
      throw new BudgetExhausted(`request budget of ${this.#options.budget} spent (--budget)`);
    }
    await this.#pace();
    this.#sent++;
    if (guarded && effect && this.#changes.length < 50)
      this.#changes.push(`${effect.method} ${effect.route} (${effect.effect}) under the key from ${guarded.source}`);
    const url = this.#url(spec);
    const headers: Record<string, string> = { accept: 'application/json', ...spec.headers };
    let credentialLabel: string | undefined;
    if (typeof spec.auth === 'string') headers['authorization'] = spec.auth;
    else if (spec.auth) {
      headers['authorization'] = `Bearer ${spec.auth.secret}`;
      credentialLabel = spec.auth.label;
      this.registerSecret(spec.auth.secret, spec.auth.label);
    }
    let body: string | undefined;
    if (spec.json !== undefined) {
      body = JSON.stringify(spec.json);
      headers['content-type'] = 'application/json';
    } else if (spec.raw) {
      body = spec.raw.body;
      headers['content-type'] = spec.raw.contentType;
    }
    const started = performance.now();
    const exchange: Exchange = {
      seq: ++this.#seq,
      method: spec.method.toUpperCase(),
      url: url.href,
      target: url.pathname + url.search,
      requestHeaders: headers,
      ...(body !== undefined ? { requestBody: body } : {}),
      ...(credentialLabel ? { credentialLabel } : {}),
      status: 0,
      responseHeaders: {},
      responseText: '',
      body: undefined,
      durationMs: 0,
      violations: [],
    };
    try {
      const timeout = AbortSignal.timeout(limits?.maxMs ?? this.#options.timeoutMs);
      // Some servers send a stream's headers only with its first event, so the request that makes
      // events must not wait for them: it starts shortly after the stream is asked for.
      const opened = limits?.whileOpen ? sleep(STREAM_OPEN_DELAY_MS).then(limits.whileOpen) : undefined;
      opened?.catch(() => undefined);
      const response = await fetch(url, {
        method: exchange.method,
        headers,
        ...(body !== undefined ? { body } : {}),
        redirect: 'manual',
        signal: timeout,
      });
      Object.assign(exchange, recordedResponse(response.status, response.headers, ''));
      const text =
        limits === undefined
          ? await readCapped(response, this.#options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES)
          : await readBounded(response, limits, timeout, opened);
      Object.assign(exchange, recordedResponse(response.status, response.headers, text));
    } catch (error) {
      exchange.error =
        error instanceof BodyTooLarge
          ? `${error.message} (--max-response-bytes)`
          : error instanceof Error
            ? `${error.name}: ${error.message}`
            : String(error);
      if (!(error instanceof BodyTooLarge)) exchange.status = 0;
    }
    exchange.durationMs = Math.round(performance.now() - started);
    if (exchange.status !== 429) this.#observe(exchange);
    this.#options.onExchange?.(exchange);
    for (const listener of this.#listeners) listener(exchange);
    if (exchange.status !== 0 && exchange.error !== undefined) {
      throw new ResponseTooLarge(
        `${exchange.method} ${exchange.target}: answered ${exchange.status}, ${exchange.error}`,
      );
    }
    if (exchange.status === 0) {
      throw new NetworkError(
        `${exchange.method} ${exchange.target}: no response (${exchange.error ?? 'unknown error'})`,
      );
    }
    return exchange;
  }

  #url(spec: RequestSpec): URL {
    const url = /^https?:\/\//.test(spec.path) ? new URL(spec.path) : new URL(this.baseUrl + spec.path);
    for (const [name, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url;
  }

  async #pace(): Promise<void> {
    if (this.#options.maxRps <= 0) return;
    const now = Date.now();
    const slot = Math.max(now, this.#nextSlot);
    this.#nextSlot = slot + 1000 / this.#options.maxRps;
    if (slot > now) await sleep(slot - now);
  }
}

/** Seconds from a Retry-After value (delta seconds or HTTP date); 5 s when absent or unreadable. */
export function retryAfterSeconds(value: string | undefined): number {
  if (value === undefined) return 5;
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? 5 : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * One exchange as a curl command, followed by the answer as comment lines.
 * The credential shows as `$LABEL`; `redact` hides other known secrets.
 */
export function toCurl(exchange: Exchange, redact: (text: string) => string = (text) => text, maxBody = 600): string {
  const parts = ['curl -sS -i', '-X', exchange.method];
  for (const [name, value] of Object.entries(exchange.requestHeaders)) {
    if (name === 'accept') continue;
    if (name === 'authorization' && exchange.credentialLabel) {
      parts.push('-H', `"authorization: Bearer $${exchange.credentialLabel}"`);
    } else {
      parts.push('-H', shellQuote(`${name}: ${value}`));
    }
  }
  if (exchange.requestBody !== undefined) parts.push('--data-binary', shellQuote(exchange.requestBody));
  parts.push(shellQuote(exchange.url));
  const answer =
    exchange.status === 0
      ? `no response: ${exchange.error ?? ''}`
      : `${exchange.status} ${truncate(exchange.responseText, maxBody)}`;
  const lines = [parts.join(' '), `#  → ${visible(answer.replace(/\r?\n/g, ' '))}`];
  for (const violation of exchange.violations) lines.push(`#  ✗ contract: ${visible(violation)}`);
  return redact(lines.join('\n'));
}

/** The transcript of a sequence, keeping its last `max` exchanges. */
export function transcript(exchanges: readonly Exchange[], redact?: (text: string) => string, max = 15): string[] {
  const kept = exchanges.slice(-max);
  const lines = kept.map((exchange) => toCurl(exchange, redact));
  if (exchanges.length > kept.length)
    lines.unshift(`# … ${exchanges.length - kept.length} earlier request(s) of this sequence omitted`);
  return lines;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text;
}

/** A compact JWS: its third segment is what makes a token usable. */
const JWT = /\b(eyJ[\w-]{2,}\.[\w-]{2,}\.)[\w-]{16,}/g;
/**
 * JSON members whose string value is a credential (vault tokens, SSO and LDAP
 * secrets included) or DPDP personal data (a data principal's id and contact
 * details), in bodies and in curl `-d` payloads.
 */
const SECRET_MEMBER =
  /("(?:refreshToken|refresh_token|clientSecret|client_secret|secret|password|token|scimToken|accessToken|access_token|ldapBindPassword|bindPassword|dataPrincipalId|data_principal_id|dataFiduciaryContact|email|phone)"\s*:\s*")((?:[^"\\]|\\.){4,}?)(")/gi;

/** Secrets shorter than this are not redacted (they would hide ordinary words). */
export const MIN_SECRET_LENGTH = 8;

/**
 * `text` with every secret of `secrets` shown as `$label`: as given, JSON-escaped
 * (once or twice: a body quoted in a message) and percent-encoded, and a prefix
 * of it cut off at the end of a shortened value (`…`); then
 * {@link redactIssuedSecrets}.
 */
export function redactSecrets(text: string, secrets: ReadonlyMap<string, string>): string {
  let out = text;
  for (const [secret, label] of secrets) {
    const once = JSON.stringify(secret).slice(1, -1);
    const twice = JSON.stringify(once).slice(1, -1);
    for (const form of new Set([secret, once, twice, encodeURIComponent(secret)]))
      out = out.split(form).join(`$${label}`);
    out = redactCutPrefix(out, secret, label);
  }
  return redactIssuedSecrets(out);
}

/** A value shortened for a message ends in `…` (or just ends): the part of a secret before the cut is hidden too. */
function redactCutPrefix(text: string, secret: string, label: string): string {
  const min = Math.min(MIN_SECRET_LENGTH, secret.length - 1);
  let out = text;
  for (const end of [...cutPoints(out)].reverse()) {
    for (let length = Math.min(secret.length - 1, end); length >= min; length--) {
      if (out.slice(end - length, end) === secret.slice(0, length)) {
        out = `${out.slice(0, end - length)}$${label}${out.slice(end)}`;
        break;
      }
    }
  }
  return out;
}

function* cutPoints(text: string): Generator<number> {
  for (let at = text.indexOf('…'); at !== -1; at = text.indexOf('…', at + 1)) yield at;
  yield text.length;
}

/** Hides issued credentials in a transcript or message (see {@link Http.redact}). */
export function redactIssuedSecrets(text: string): string {
  return text.replace(JWT, '$1<signature redacted>').replace(SECRET_MEMBER, '$1<redacted>$3');
}
