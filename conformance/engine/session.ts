/**
 * @module session
 * The state shared by the checks of one run: the server, the developers and
 * their keys, the extensions the server offers, the agents the run created,
 * and protocol helpers (authorize → approve → exchange, refresh, verify,
 * revoke, delegate) that talk raw HTTP through the recorder. Everything the
 * run creates is tagged with the run id and registered for cleanup; nothing
 * else is ever deleted.
 */
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { ContractValidator } from '../http/contract.js';
import { CannotRun, CheckFailure, show } from './failures.js';
import type { Http } from '../http/http.js';
import type { RunOptions } from './options.js';
import { preflight } from '../http/preflight.js';
import { EXTENSIONS, type Credential, type Exchange, type Extension, type RequestSpec } from './types.js';

export type Mode = 'live' | 'sandbox';

/** A developer account the run acts as. */
export interface Developer {
  /** `A` (the developer under test) or `B` (the other developer of the isolation checks). */
  name: 'A' | 'B';
  key: Credential;
  id?: string;
  mode?: Mode;
  /** Created by this run with `POST /v1/signup`. */
  signedUp: boolean;
  /** Where its key came from, for messages: `--api-key`, `GRANTEX_API_KEY`, `--event-api-key`, `POST /v1/signup`. */
  source: string;
}

export interface Agent {
  agentId: string;
  did: string;
  developerId: string;
  name: string;
}

/** A grant token obtained by the run, with what was asked for. */
export interface Issued {
  grantToken: string;
  refreshToken: string;
  grantId: string;
  scopes: string[];
  expiresAt: string;
  jti: string;
  claims: Record<string, unknown>;
  header: Record<string, unknown>;
  agent: Agent;
  principalId: string;
  /** How the code was obtained. */
  approval: Approval;
  /** Server clock estimate at exchange (seconds), from the token's `iat`. */
  issuedAt: number;
}

export type Approval = 'sandbox' | 'policy' | 'consent' | 'sandbox-approve';

export interface IssueRequest {
  agent: Agent;
  scopes: string[];
  principalId?: string;
  expiresIn?: string;
  audience?: string;
  pkce?: { challenge: string; verifier: string };
}

interface CleanupTask {
  what: string;
  undo: () => Promise<Exchange | void>;
  /** The check that was running when it was created, and the checks that used it since (shared agents). */
  checks: Set<string>;
}

/** Scopes of the shared grant: the union of what its users read or delegate. */
const SHARED_GRANT_SCOPES = ['calendar:read', 'email:read', 'email:send', 'contacts:read'];

/** Paths probed to see whether an extension is offered: any answer but 404 means it is. */
const PROBES: Record<Extension, RequestSpec & { withKey: boolean }> = {
  signup: { method: 'POST', path: '/v1/signup', json: {}, withKey: false },
  policies: { method: 'GET', path: '/v1/policies', withKey: true },
  webhooks: { method: 'GET', path: '/v1/webhooks', withKey: true },
  anomalies: { method: 'GET', path: '/v1/anomalies', withKey: true },
  compliance: { method: 'GET', path: '/v1/compliance/summary', withKey: true },
  billing: { method: 'GET', path: '/v1/billing/subscription', withKey: true },
  scim: { method: 'GET', path: '/v1/scim/tokens', withKey: true },
  sso: { method: 'GET', path: '/sso/login', withKey: false },
  budgets: { method: 'GET', path: '/v1/budget/allocations', withKey: true },
  usage: { method: 'GET', path: '/v1/usage', withKey: true },
  // Without a key the stream is refused at once (401), so the probe never waits on an open stream.
  events: { method: 'GET', path: '/v1/events/stream', withKey: false },
  vault: { method: 'GET', path: '/v1/vault/credentials', withKey: true },
  dpdp: { method: 'GET', path: '/v1/dpdp/consent-records', withKey: true },
  mcp: { method: 'GET', path: '/v1/mcp/servers', withKey: false },
};

export { CannotRun } from './failures.js';

export class Session {
  readonly http: Http;
  readonly contract: ContractValidator;
  readonly options: RunOptions;
  readonly runId: string;
  readonly notes: string[] = [];
  readonly extensions = new Map<Extension, boolean>();
  /** The `iss` of every grant token the run obtained, with how many carried it (SPEC §6.2: one issuer). */
  readonly issuers = new Map<string, number>();
  devA!: Developer;
  #devB: Developer | undefined | null = undefined;
  #live: Developer | undefined | null = undefined;
  #agents = new Map<string, Agent>();
  #cleanup: CleanupTask[] = [];
  #jwks: unknown;
  #developers: Developer[] = [];
  #counter = 0;
  #closers: Array<() => Promise<void>> = [];
  #kept = new Set<string>();
  #shared = new Map<Developer, Issued>();
  /** Id of the check running now (set by the runner), so its resources can be kept when it fails. */
  currentCheck: string | undefined;

  constructor(http: Http, contract: ContractValidator, options: RunOptions, runId: string) {
    this.http = http;
    this.contract = contract;
    this.options = options;
    this.runId = runId;
  }

  // ---------------------------------------------------------------- set-up

  /** Preflight (a Grantex server at all?), credentials and extension detection. @throws {CannotRun} */
  async open(): Promise<void> {
    await preflight(this.http, this.contract, this.runId);
    await this.#detect('signup');
    await this.#developersOfRun();
    for (const dev of this.#developers) await this.#accepted(dev);
    for (const extension of EXTENSIONS) if (extension !== 'signup') await this.#detect(extension);
  }

  /**
   * Who the run acts as. Without keys: developers it signs up. With keys, the
   * requests that set off events or change configuration (SIDE_EFFECTS) go to
   * a developer the run created (signup) or the `--event-api-key` developer;
   * the given keys are checked and guarded (the recorder refuses such requests
   * with them) unless `--allow-side-effects`.
   */
  async #developersOfRun(): Promise<void> {
    const { apiKeys: keys, apiKeySource: source, eventApiKey, allowSideEffects } = this.options;
    if (keys.length === 0) {
      const created = await this.signup('A', 'live');
      if (!created) throw new CannotRun('no --api-key given and the server does not offer POST /v1/signup');
      this.devA = created;
      return;
    }
    const given = (index: number, label: string): Developer => ({
      name: index === 0 ? 'A' : 'B',
      key: { label, secret: keys[index]! },
      signedUp: false,
      source: keys.length > 1 ? `${source} (${index === 0 ? 'first' : 'second'})` : source,
      ...modeOfKey(keys[index]!),
    });
    if (allowSideEffects) {
      this.devA = this.#add(given(0, 'GRANTEX_API_KEY'));
      if (keys[1]) this.#devB = this.#add(given(1, 'GRANTEX_API_KEY_2'));
      this.notes.push(
        `--allow-side-effects: events and configuration changes happen under the developer of the key from ${source}`,
      );
      return;
    }
    if (eventApiKey !== undefined) {
      const events: Developer = {
        name: 'A',
        key: { label: 'GRANTEX_EVENT_API_KEY', secret: eventApiKey },
        signedUp: false,
        source: '--event-api-key',
        ...modeOfKey(eventApiKey),
      };
      const user = this.#add(given(0, 'GRANTEX_API_KEY'));
      this.http.guard(user.key.secret, user.source);
      this.devA = this.#add(events);
      if (keys[1]) this.#devB = this.#guarded(given(1, 'GRANTEX_API_KEY_2'));
      return;
    }
    const users = keys.map((_, index) =>
      this.#guarded(given(index, index === 0 ? 'GRANTEX_GIVEN_API_KEY' : 'GRANTEX_GIVEN_API_KEY_2')),
    );
    const created = await this.signup('A', users[0]!.mode ?? 'live');
    if (created) {
      this.devA = created;
      this.notes.push(
        `events and configuration changes happen only under developer ${created.id} created by this run; the key from ${source} is checked and otherwise unused`,
      );
      return;
    }
    for (const user of users) user.key.label = user.key.label.replace('GIVEN_', '');
    this.devA = users[0]!;
    if (users[1]) this.#devB = users[1];
    this.notes.push(
      `no developer could be created (POST /v1/signup): checks that set off events or change configuration are skipped; give --event-api-key or --allow-side-effects to run them`,
    );
  }

  #add(dev: Developer): Developer {
    this.#developers.push(dev);
    return dev;
  }

  #guarded(dev: Developer): Developer {
    this.http.guard(dev.key.secret, dev.source);
    return this.#add(dev);
  }

  /** The key works (GET /v1/agents answers 200). @throws {CannotRun} naming where the key came from */
  async #accepted(dev: Developer): Promise<void> {
    const probe = await this.request(dev, { method: 'GET', path: '/v1/agents' });
    if (probe.status === 401 || probe.status === 403) {
      throw new CannotRun(`the API key from ${dev.source} was refused (${probe.status} ${show(probe.body, 120)})`);
    }
    if (probe.status !== 200)
      throw new CannotRun(
        `GET /v1/agents with the key from ${dev.source} answered ${probe.status} ${show(probe.body ?? probe.responseText, 120)}`,
      );
  }

  /** Keys of the developers this run created (throwaways), for re-running transcripts. Never a key the user gave. */
  get createdKeys(): Array<{ label: string; secret: string }> {
    return this.#developers
      .filter((dev) => dev.signedUp)
      .map((dev) => ({ label: dev.key.label, secret: dev.key.secret }));
  }

  async #detect(extension: Extension): Promise<void> {
    const { withKey, ...spec } = PROBES[extension];
    const exchange = await this.http.request({ ...spec, ...(withKey ? { auth: this.devA.key } : {}) });
    this.extensions.set(extension, exchange.status !== 404);
  }

  /** Whether the server offers `extension` (decided from a probe at start). */
  offers(extension: Extension): boolean {
    return this.extensions.get(extension) === true;
  }

  /** Creates a developer with `POST /v1/signup`; undefined when signup is off or not offered. */
  async signup(name: 'A' | 'B', mode: Mode): Promise<Developer | undefined> {
    if (!this.options.signup || this.extensions.get('signup') === false) return undefined;
    const exchange = await this.http.request({
      method: 'POST',
      path: '/v1/signup',
      json: { name: `${this.runId} developer ${name}`, mode },
    });
    if (exchange.status !== 201) {
      this.notes.push(`POST /v1/signup answered ${exchange.status}; no developer ${name} created`);
      return undefined;
    }
    const body = exchange.body as { apiKey: string; developerId: string; mode?: Mode };
    if (typeof body?.apiKey !== 'string' || typeof body.developerId !== 'string') {
      this.notes.push(
        `POST /v1/signup answered 201 without apiKey and developerId (${show(exchange.body, 120)}); no developer ${name} created`,
      );
      return undefined;
    }
    const label = name === 'A' ? 'GRANTEX_API_KEY' : 'GRANTEX_API_KEY_2';
    if (this.options.baseUrl)
      this.notes.push(
        `created developer ${body.developerId} (${mode}) with POST /v1/signup; the API has no way to delete it`,
      );
    const dev: Developer = {
      name,
      key: { label, secret: body.apiKey },
      id: body.developerId,
      mode: body.mode ?? mode,
      signedUp: true,
      source: 'POST /v1/signup',
    };
    this.http.registerSecret(body.apiKey, label);
    this.#developers.push(dev);
    return dev;
  }

  /** The second developer of the isolation checks (second key, else signup); undefined if neither exists. */
  async devB(): Promise<Developer | undefined> {
    if (this.#devB === undefined) {
      this.#devB = (await this.signup('B', this.devA.mode === 'live' ? 'sandbox' : 'live')) ?? null;
    }
    return this.#devB ?? undefined;
  }

  /** A developer with a live key (A, B, or a new signup); undefined when none can be had. */
  async liveDeveloper(): Promise<Developer | undefined> {
    if (this.#live !== undefined) return this.#live ?? undefined;
    for (const dev of [this.devA, await this.devB()]) {
      if (dev && (await this.modeOf(dev)) === 'live') return (this.#live = dev);
    }
    this.#live = null;
    return undefined;
  }

  /** Developers known to the run, for secret redaction and cleanup. */
  get developers(): readonly Developer[] {
    return this.#developers;
  }

  /** The developer's key mode, from its prefix or, failing that, from an authorization request. */
  async modeOf(dev: Developer): Promise<Mode> {
    if (dev.mode) return dev.mode;
    const agent = await this.agent(dev);
    const exchange = await this.authorize(dev, {
      agentId: agent.agentId,
      principalId: this.principal('mode-probe'),
      scopes: ['profile:read'],
    });
    const body = exchange.body as { code?: string; sandbox?: boolean; policyEnforced?: boolean } | undefined;
    dev.mode =
      body?.sandbox === true || (body?.code !== undefined && body.policyEnforced !== true) ? 'sandbox' : 'live';
    return dev.mode;
  }

  // ---------------------------------------------------------------- requests

  /** A request as `dev` (its API key). */
  request(dev: Developer, spec: RequestSpec): Promise<Exchange> {
    return this.http.request({ ...spec, auth: dev.key });
  }

  /** Unique, run-tagged principal id. */
  principal(tag = 'user'): string {
    return `${this.runId}-${tag}-${++this.#counter}`;
  }

  /** Unique, run-tagged name. */
  name(tag: string): string {
    return `${this.runId} ${tag} ${++this.#counter}`;
  }

  /** Registers an undo step, run (last first) when the run ends. */
  track(what: string, undo: () => Promise<Exchange | void>): void {
    this.#cleanup.push({ what, undo, checks: new Set(this.currentCheck === undefined ? [] : [this.currentCheck]) });
  }

  /** Notes that the running check uses what `what` names (so `--keep-on-failure` keeps it for that check too). */
  #used(what: string): void {
    if (this.currentCheck === undefined) return;
    for (const task of this.#cleanup) if (task.what === what) task.checks.add(this.currentCheck);
  }

  /** `--keep-on-failure`: what `check` created is left in place by `cleanup()`. */
  keepResourcesOf(check: string): void {
    this.#kept.add(check);
  }

  /** Deletes what the run created, newest first. Never throws. */
  async cleanup(): Promise<{ deleted: number; failed: string[]; kept: string[] }> {
    let deleted = 0;
    const failed: string[] = [];
    const kept: string[] = [];
    for (const task of this.#cleanup.reverse()) {
      const keepers = [...task.checks].filter((check) => this.#kept.has(check));
      if (keepers.length > 0) {
        kept.push(`${task.what} (${keepers.join(', ')})`);
        continue;
      }
      try {
        const exchange = await task.undo();
        if (!exchange || exchange.status < 300 || exchange.status === 404) deleted++;
        else failed.push(`${task.what}: ${exchange.status}`);
      } catch (error) {
        failed.push(`${task.what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    this.#cleanup = [];
    return { deleted, failed, kept };
  }

  /** Registers something to stop when the run ends (the webhook receiver). */
  onClose(close: () => Promise<void>): void {
    this.#closers.push(close);
  }

  /** Stops what `onClose` registered. Never throws. */
  async close(): Promise<void> {
    for (const close of this.#closers.splice(0)) await close().catch(() => undefined);
  }

  // ---------------------------------------------------------------- agents

  /** The developer's agent for `role`, created (and tracked) on first use. */
  async agent(dev: Developer, role = 'main'): Promise<Agent> {
    const key = `${dev.name}:${role}`;
    const known = this.#agents.get(key);
    if (known) {
      this.#used(`agent ${known.agentId}`);
      return known;
    }
    const agent = await this.createAgent(dev, role);
    this.#agents.set(key, agent);
    return agent;
  }

  /** Registers a new agent for `dev` (tracked for deletion). */
  async createAgent(dev: Developer, role: string, scopes: string[] = ['calendar:read', 'email:send']): Promise<Agent> {
    const exchange = await this.request(dev, {
      method: 'POST',
      path: '/v1/agents',
      json: { name: this.name(`agent ${role}`), description: `grantex conformance run ${this.runId}`, scopes },
    });
    expectStatus(exchange, 201, 'registering an agent');
    const agent = exchange.body as Agent;
    this.track(`agent ${agent.agentId}`, () =>
      this.request(dev, { method: 'DELETE', path: `/v1/agents/${agent.agentId}` }),
    );
    dev.id ??= agent.developerId;
    return agent;
  }

  // ---------------------------------------------------------------- grant flow

  authorize(dev: Developer, body: Record<string, unknown>): Promise<Exchange> {
    return this.request(dev, { method: 'POST', path: '/v1/authorize', json: body });
  }

  /**
   * The authorization code for an accepted authorize answer: the `code` it
   * carries (sandbox key or allow policy), else the principal's approval
   * through the consent endpoint (or the sandbox approve endpoint when
   * `--approval sandbox`).
   */
  async approve(dev: Developer, authorized: Exchange): Promise<{ code: string; approval: Approval }> {
    const body = authorized.body as {
      authRequestId: string;
      code?: string;
      sandbox?: boolean;
      policyEnforced?: boolean;
    };
    if (typeof body.code === 'string') {
      if (body.sandbox === true) dev.mode ??= 'sandbox';
      return { code: body.code, approval: body.policyEnforced === true ? 'policy' : 'sandbox' };
    }
    dev.mode ??= 'live';
    if (this.options.approval === 'sandbox') {
      const exchange = await this.request(dev, { method: 'POST', path: `/v1/authorize/${body.authRequestId}/approve` });
      expectStatus(exchange, 200, 'approving the request with the sandbox approve endpoint');
      return { code: (exchange.body as { code: string }).code, approval: 'sandbox-approve' };
    }
    const exchange = await this.http.request({
      method: 'POST',
      path: `/v1/consent/${body.authRequestId}/approve`,
      auth: null,
    });
    expectStatus(exchange, 200, 'approving the request as the principal (consent)');
    const code = (exchange.body as { code?: unknown } | undefined)?.code;
    if (typeof code !== 'string')
      throw new CheckFailure('consent approval returned no code', 'a `code` string', show(exchange.body));
    return { code, approval: 'consent' };
  }

  exchange(dev: Developer, code: string, agentId: string, codeVerifier?: string): Promise<Exchange> {
    return this.request(dev, {
      method: 'POST',
      path: '/v1/token',
      json: { code, agentId, ...(codeVerifier !== undefined ? { codeVerifier } : {}) },
    });
  }

  /** authorize → approve → exchange, asserting each step; returns the decoded token. */
  async issue(dev: Developer, request: IssueRequest): Promise<Issued> {
    const principalId = request.principalId ?? this.principal();
    const authorized = await this.authorize(dev, {
      agentId: request.agent.agentId,
      principalId,
      scopes: request.scopes,
      ...(request.expiresIn !== undefined ? { expiresIn: request.expiresIn } : {}),
      ...(request.audience !== undefined ? { audience: request.audience } : {}),
      ...(request.pkce ? { codeChallenge: request.pkce.challenge, codeChallengeMethod: 'S256' } : {}),
    });
    expectStatus(authorized, 201, 'POST /v1/authorize');
    const { code, approval } = await this.approve(dev, authorized);
    const exchanged = await this.exchange(dev, code, request.agent.agentId, request.pkce?.verifier);
    expectStatus(exchanged, 201, 'exchanging the code (POST /v1/token)');
    return this.#issued(exchanged, request.agent, principalId, approval);
  }

  #issued(exchanged: Exchange, agent: Agent, principalId: string, approval: Approval): Issued {
    const body = exchanged.body as {
      grantToken: string;
      refreshToken: string;
      grantId: string;
      scopes: string[];
      expiresAt: string;
    };
    const { claims, header } = decodeToken(body.grantToken);
    const iss = typeof claims['iss'] === 'string' ? claims['iss'] : `(not a string: ${show(claims['iss'])})`;
    this.issuers.set(iss, (this.issuers.get(iss) ?? 0) + 1);
    return {
      ...body,
      jti: String(claims['jti'] ?? ''),
      claims,
      header,
      agent,
      principalId,
      approval,
      issuedAt: typeof claims['iat'] === 'number' ? claims['iat'] : Math.floor(Date.now() / 1000),
    };
  }

  /**
   * One live grant per developer for checks that only read or delegate from a
   * token and never revoke it, so a rate-limited server spends one authorize
   * and one exchange on all of them. A check that revokes or needs particular
   * scopes or expiry issues its own.
   */
  async sharedGrant(dev: Developer): Promise<Issued> {
    const known = this.#shared.get(dev);
    if (known) return known;
    const issued = await this.issue(dev, { agent: await this.agent(dev), scopes: SHARED_GRANT_SCOPES });
    this.#shared.set(dev, issued);
    return issued;
  }

  /** Turns a 201 token answer (exchange, refresh, delegate) into an {@link Issued}. */
  issuedFrom(exchanged: Exchange, agent: Agent, principalId: string, approval: Approval = 'sandbox'): Issued {
    return this.#issued(exchanged, agent, principalId, approval);
  }

  refresh(dev: Developer, refreshToken: string, agentId: string): Promise<Exchange> {
    return this.request(dev, { method: 'POST', path: '/v1/token/refresh', json: { refreshToken, agentId } });
  }

  verifyOnline(dev: Developer, token: string): Promise<Exchange> {
    return this.request(dev, { method: 'POST', path: '/v1/tokens/verify', json: { token } });
  }

  /** `valid` from `POST /v1/tokens/verify`, asserting the answer is 200 with a boolean. */
  async isValidOnline(dev: Developer, token: string): Promise<boolean> {
    const exchange = await this.verifyOnline(dev, token);
    expectStatus(exchange, 200, 'POST /v1/tokens/verify');
    const valid = (exchange.body as { valid?: unknown } | undefined)?.valid;
    if (typeof valid !== 'boolean')
      throw new CheckFailure('online verification gave no verdict', '`valid` boolean', show(exchange.body));
    return valid;
  }

  revokeToken(dev: Developer, jti: string): Promise<Exchange> {
    return this.request(dev, { method: 'POST', path: '/v1/tokens/revoke', json: { jti } });
  }

  revokeGrant(dev: Developer, grantId: string): Promise<Exchange> {
    return this.request(dev, { method: 'DELETE', path: `/v1/grants/${grantId}` });
  }

  getGrant(dev: Developer, grantId: string): Promise<Exchange> {
    return this.request(dev, { method: 'GET', path: `/v1/grants/${grantId}` });
  }

  delegate(
    dev: Developer,
    body: { parentGrantToken: string; subAgentId: string; scopes: string[]; expiresIn?: string },
  ): Promise<Exchange> {
    return this.request(dev, { method: 'POST', path: '/v1/grants/delegate', json: body });
  }

  /** The server's JWKS (fetched once). */
  async jwks(): Promise<unknown> {
    if (this.#jwks === undefined) {
      const exchange = await this.http.request({ method: 'GET', path: '/.well-known/jwks.json' });
      expectStatus(exchange, 200, 'GET /.well-known/jwks.json');
      this.#jwks = exchange.body;
    }
    return this.#jwks;
  }
}

/** Throws a {@link CheckFailure} unless the exchange has one of the expected statuses. */
export function expectStatus(exchange: Exchange, expected: number | number[], what: string): void {
  const list = Array.isArray(expected) ? expected : [expected];
  if (!list.includes(exchange.status)) {
    throw new CheckFailure(
      `${what} → ${exchange.status} (${exchange.method} ${exchange.target.split('?')[0]})`,
      `status ${list.join(' or ')}`,
      `status ${exchange.status} ${show(exchange.body ?? exchange.responseText, 240)}`,
    );
  }
}

/** Decodes (without verifying) a compact JWS; a malformed token fails the check. */
export function decodeToken(token: string): { claims: Record<string, unknown>; header: Record<string, unknown> } {
  try {
    return {
      claims: decodeJwt(token) as Record<string, unknown>,
      header: decodeProtectedHeader(token) as Record<string, unknown>,
    };
  } catch (error) {
    throw new CheckFailure(
      'the grant token is not a decodable JWT',
      'a compact JWS with a JSON payload',
      `${show(token, 80)} (${String(error)})`,
    );
  }
}

function modeOfKey(key: string): { mode?: Mode } {
  if (key.startsWith('gx_test_')) return { mode: 'sandbox' };
  if (key.startsWith('gx_live_')) return { mode: 'live' };
  return {};
}
