/**
 * @module engine/session/run-state
 * What one run knows and owns: the server, the developers it acts as and
 * their keys, the extensions the server offers, the agents it registered, and
 * everything it created, tagged with the run id and undone (newest first)
 * when the run ends; nothing else is ever deleted.
 */
import type { ContractValidator } from '../../http/contract.js';
import { CannotRun, show } from '../failures.js';
import type { Http } from '../../http/http.js';
import type { RunOptions } from '../options.js';
import { preflight } from '../../http/preflight.js';
import { EXTENSIONS, type Exchange, type Extension, type RequestSpec } from '../types.js';
import { expectStatus } from './expect.js';
import type { Mode, Developer, Agent } from './types.js';

interface CleanupTask {
  what: string;
  undo: () => Promise<Exchange | void>;
  /** The check that was running when it was created, and the checks that used it since (shared agents). */
  checks: Set<string>;
}

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
  did: { method: 'GET', path: '/.well-known/did.json', withKey: false },
  passports: { method: 'GET', path: '/v1/passports', withKey: true },
  credentials: { method: 'GET', path: '/v1/credentials', withKey: true },
  registry: { method: 'GET', path: '/v1/registry/orgs', withKey: false },
  bundles: { method: 'GET', path: '/v1/consent-bundles', withKey: true },
  principal: { method: 'GET', path: '/v1/principal/grants', withKey: false },
  webauthn: { method: 'GET', path: '/v1/webauthn/credentials', withKey: true },
  domains: { method: 'GET', path: '/v1/domains', withKey: true },
  account: { method: 'GET', path: '/v1/me', withKey: true },
  budgets: { method: 'GET', path: '/v1/budget/allocations', withKey: true },
  usage: { method: 'GET', path: '/v1/usage', withKey: true },
  // Without a key the stream is refused at once (401), so the probe never waits on an open stream.
  events: { method: 'GET', path: '/v1/events/stream', withKey: false },
  vault: { method: 'GET', path: '/v1/vault/credentials', withKey: true },
  dpdp: { method: 'GET', path: '/v1/dpdp/consent-records', withKey: true },
  mcp: { method: 'GET', path: '/v1/mcp/servers', withKey: false },
};

/** The run's state; {@link Session} adds the protocol helpers the checks call. */
export class RunState {
  readonly http: Http;
  readonly contract: ContractValidator;
  readonly options: RunOptions;
  readonly runId: string;
  readonly notes: string[] = [];
  readonly extensions = new Map<Extension, boolean>();
  devA!: Developer;
  #devB: Developer | undefined | null = undefined;
  #devC: Developer | undefined | null = undefined;
  #agents = new Map<string, Agent>();
  #cleanup: CleanupTask[] = [];
  #developers: Developer[] = [];
  #counter = 0;
  #closers: Array<() => Promise<void>> = [];
  #kept = new Set<string>();
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
      // Events are allowed; what can revoke or change pre-existing resources is still refused.
      for (const dev of [this.devA, this.#devB]) if (dev) this.http.guard(dev.key.secret, dev.source, 'destructive');
      this.notes.push(
        `--allow-side-effects: events and configuration changes happen under the developer of the key from ${source}; requests that can revoke or change what existed before the run (POST /v1/anomalies/detect) are still not sent`,
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
  async signup(name: Developer['name'], mode: Mode): Promise<Developer | undefined> {
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
    const label =
      name === 'A' ? 'GRANTEX_RUN_API_KEY' : name === 'B' ? 'GRANTEX_RUN_API_KEY_2' : 'GRANTEX_RUN_API_KEY_3';
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

  /**
   * A developer of its own (signed up, same mode as A) for checks whose server
   * reactions reach the whole developer (anomaly detection revokes grants of
   * every agent), so they cannot touch what other checks share; undefined
   * when none can be created (the caller then uses A and runs last).
   */
  async devC(): Promise<Developer | undefined> {
    if (this.#devC === undefined) this.#devC = (await this.signup('C', this.devA.mode ?? 'live')) ?? null;
    return this.#devC ?? undefined;
  }

  /** Developers known to the run, for secret redaction and cleanup. */
  get developers(): readonly Developer[] {
    return this.#developers;
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
}

function modeOfKey(key: string): { mode?: Mode } {
  if (key.startsWith('gx_test_')) return { mode: 'sandbox' };
  if (key.startsWith('gx_live_')) return { mode: 'live' };
  return {};
}
