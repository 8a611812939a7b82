/**
 * @module store
 * The reference server's in-memory state. Every record lives in the tenant of
 * the developer that owns it, so a handler that only ever looks in the
 * caller's tenant cannot leak another developer's data. The few global indexes
 * (API keys, SCIM tokens, consent request ids, SSO states) map a credential or
 * capability to its tenant and nothing more. What anyone can make it keep
 * (SSO logins, billing sessions) lives in bounded maps (bounded-map.ts);
 * developers and their records are capped too (limits.ts).
 */
import { BoundedMap, type Bounds } from './bounded-map.js';
import { MAX_DEVELOPERS } from './limits.js';

/** `live` keys need consent; `sandbox` keys are approved at once. */
export type Mode = 'live' | 'sandbox';

export interface DeveloperRecord {
  id: string;
  apiKey: string;
  name: string;
  email: string | null;
  mode: Mode;
  createdAt: string;
}

export interface AgentRecord {
  id: string;
  developerId: string;
  name: string;
  description: string;
  scopes: string[];
  status: 'active' | 'suspended';
  createdAt: string;
  updatedAt: string;
}

export type AuthRequestStatus = 'pending' | 'approved' | 'denied' | 'consumed';

export interface AuthRequestRecord {
  id: string;
  developerId: string;
  agentId: string;
  principalId: string;
  scopes: string[];
  /** Lifetime of the grant to issue, in seconds. */
  grantLifetimeSeconds: number;
  expiresAt: number;
  redirectUri: string | null;
  state: string | null;
  audience: string | null;
  codeChallenge: string | null;
  status: AuthRequestStatus;
  code: string | null;
  createdAt: string;
}

export interface GrantRecord {
  id: string;
  developerId: string;
  agentId: string;
  principalId: string;
  scopes: string[];
  status: 'active' | 'revoked';
  issuedAt: number;
  expiresAt: number;
  revokedAt: number | null;
  audience: string | null;
  parentGrantId: string | null;
  delegationDepth: number;
  childIds: string[];
}

export interface TokenRecord {
  jti: string;
  grantId: string;
  expiresAt: number;
  revoked: boolean;
}

export interface RefreshTokenRecord {
  id: string;
  grantId: string;
  expiresAt: number;
  used: boolean;
}

export interface AuditRecord {
  entryId: string;
  agentId: string;
  agentDid: string;
  grantId: string;
  principalId: string;
  developerId: string;
  action: string;
  metadata: Record<string, unknown>;
  hash: string;
  prevHash: string | null;
  timestamp: string;
  status: 'success' | 'failure' | 'blocked';
}

export interface PolicyRecord {
  id: string;
  name: string;
  effect: 'allow' | 'deny';
  priority: number;
  agentId: string | null;
  principalId: string | null;
  scopes: string[] | null;
  timeOfDayStart: string | null;
  timeOfDayEnd: string | null;
  createdAt: string;
  updatedAt: string;
}

export type WebhookEvent = 'grant.created' | 'grant.revoked' | 'token.issued';

export interface WebhookRecord {
  id: string;
  url: string;
  events: WebhookEvent[];
  secret: string;
  createdAt: string;
}

export interface DeliveryRecord {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: WebhookEvent;
  payload: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  maxAttempts: number;
  url: string;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export interface AnomalyRecord {
  id: string;
  type: 'rate_spike' | 'high_failure_rate' | 'new_principal' | 'off_hours_activity';
  severity: 'low' | 'medium' | 'high';
  agentId: string | null;
  principalId: string | null;
  description: string;
  metadata: Record<string, unknown>;
  detectedAt: string;
  acknowledgedAt: string | null;
}

export interface SubscriptionRecord {
  plan: 'free' | 'pro' | 'enterprise';
  status: 'active' | 'canceled' | 'past_due';
  currentPeriodEnd: string | null;
  /** Set once a checkout completed; the portal needs it. */
  customerId: string | null;
}

export interface CheckoutSessionRecord {
  id: string;
  developerId: string;
  plan: 'pro' | 'enterprise';
  successUrl: string;
  cancelUrl: string;
  completed: boolean;
}

export interface ScimTokenRecord {
  id: string;
  label: string;
  token: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface ScimUserRecord {
  id: string;
  externalId: string | null;
  userName: string;
  displayName: string | null;
  active: boolean;
  emails: { value: string; primary?: boolean; type?: string }[];
  created: string;
  lastModified: string;
}

export interface SsoConfigRecord {
  /** The `sso_…` id that `GET /sso/login` reports as `connectionId`. */
  connectionId: string;
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  createdAt: string;
  updatedAt: string;
}

/** One developer's data. */
export class Tenant {
  readonly developer: DeveloperRecord;
  readonly agents = new Map<string, AgentRecord>();
  readonly authRequests = new Map<string, AuthRequestRecord>();
  readonly grants = new Map<string, GrantRecord>();
  readonly tokens = new Map<string, TokenRecord>();
  readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  /** The audit chain, oldest first. */
  readonly audit: AuditRecord[] = [];
  /** UTF-8 bytes of the canonical metadata and caller-given strings of every entry in `audit` (capped, see limits.ts). */
  auditBytes = 0;
  readonly policies = new Map<string, PolicyRecord>();
  readonly webhooks = new Map<string, WebhookRecord>();
  readonly deliveries: DeliveryRecord[] = [];
  readonly anomalies = new Map<string, AnomalyRecord>();
  readonly scimTokens = new Map<string, ScimTokenRecord>();
  readonly scimUsers = new Map<string, ScimUserRecord>();
  subscription: SubscriptionRecord = { plan: 'free', status: 'active', currentPeriodEnd: null, customerId: null };
  ssoConfig: SsoConfigRecord | null = null;

  constructor(developer: DeveloperRecord) {
    this.developer = developer;
  }

  /** Ids of every grant delegated from `grantId`, at any depth. */
  descendantsOf(grantId: string): string[] {
    const out: string[] = [];
    const stack = [...(this.grants.get(grantId)?.childIds ?? [])];
    while (stack.length > 0) {
      const id = stack.pop() as string;
      out.push(id);
      stack.push(...(this.grants.get(id)?.childIds ?? []));
    }
    return out;
  }
}

/** Pending SSO login: what the callback must find to accept a state. */
export interface SsoLoginRecord {
  state: string;
  nonce: string;
  developerId: string;
  codeVerifier: string;
  redirectUri: string;
  expiresAt: number;
  used: boolean;
}

/** The most authorization requests one developer's tenant keeps (the oldest are dropped first). */
export const MAX_AUTH_REQUESTS = 10_000;

/**
 * Pending SSO logins (anyone may start one): kept 20 minutes (twice a login's
 * own 10, so an expired state is still answered as expired), at most 2,000
 * and 2 MiB: a local server never has more logins in flight.
 */
export const SSO_LOGIN_BOUNDS: Bounds = { ttlMs: 20 * 60_000, maxEntries: 2_000, maxBytes: 2 * 1024 * 1024 };
/** Providers' discovery documents, read once per 5 minutes per issuer: at most 100 and 2 MiB. */
export const DISCOVERY_BOUNDS: Bounds = { ttlMs: 5 * 60_000, maxEntries: 100, maxBytes: 2 * 1024 * 1024 };
/** Issuers whose discovery document could not be read: not read again for 30 s; at most 100 and 1 MiB (issuer URLs). */
export const DISCOVERY_FAILURE_BOUNDS: Bounds = { ttlMs: 30_000, maxEntries: 100, maxBytes: 1024 * 1024 };
/** Billing checkout and portal sessions: an hour each, at most 10,000 and 8 MiB per kind. */
export const BILLING_SESSION_BOUNDS: Bounds = { ttlMs: 60 * 60_000, maxEntries: 10_000, maxBytes: 8 * 1024 * 1024 };

/** A pending login's size: its strings (two bytes a character) and a fixed overhead, without serializing it. */
function ssoLoginBytes(login: SsoLoginRecord): number {
  const { state, nonce, developerId, codeVerifier, redirectUri } = login;
  return 2 * (state.length + nonce.length + developerId.length + codeVerifier.length + redirectUri.length) + 256;
}

/** All tenants plus the global credential and capability indexes. */
export class Store {
  readonly #tenants = new Map<string, Tenant>();
  readonly #byApiKey = new Map<string, string>();
  readonly #byEmail = new Map<string, string>();
  readonly #byScimToken = new Map<string, string>();
  readonly #authRequestOwner = new Map<string, string>();
  /** Developer ids, least recently active first. */
  readonly #recency = new Map<string, true>();
  readonly #pinned = new Set<string>();
  readonly #forgottenListeners: Array<(developerId: string) => void> = [];
  readonly checkoutSessions: BoundedMap<string, CheckoutSessionRecord>;
  readonly portalSessions: BoundedMap<string, { developerId: string; returnUrl: string }>;
  readonly ssoLogins: BoundedMap<string, SsoLoginRecord>;
  /** OpenID discovery documents by issuer URL (what `/sso/login` and the callback read). */
  readonly discoveries: BoundedMap<string, Record<string, unknown>>;
  /** Issuers whose discovery document was unreadable a moment ago (see DISCOVERY_FAILURE_BOUNDS). */
  readonly discoveryFailures: BoundedMap<string, string>;

  constructor(now: () => number = Date.now) {
    this.checkoutSessions = new BoundedMap(BILLING_SESSION_BOUNDS, now);
    this.portalSessions = new BoundedMap(BILLING_SESSION_BOUNDS, now);
    this.ssoLogins = new BoundedMap(SSO_LOGIN_BOUNDS, now, ssoLoginBytes);
    this.discoveries = new BoundedMap(DISCOVERY_BOUNDS, now);
    this.discoveryFailures = new BoundedMap(DISCOVERY_FAILURE_BOUNDS, now, () => 64);
  }

  /**
   * Adds a developer and its empty tenant. Past {@link MAX_DEVELOPERS} the
   * developer idle longest (last authenticated call, or sign-up) is forgotten
   * with everything it owns, so sign-up keeps working on a server left
   * running; pinned developers (see {@link pin}) are never forgotten.
   */
  addDeveloper(developer: DeveloperRecord): Tenant {
    for (const idle of this.#recency.keys()) {
      if (this.#tenants.size < MAX_DEVELOPERS) break;
      if (this.#pinned.has(idle)) continue;
      this.#forget(idle);
    }
    const tenant = new Tenant(developer);
    this.#tenants.set(developer.id, tenant);
    this.#recency.set(developer.id, true);
    this.#byApiKey.set(developer.apiKey, developer.id);
    if (developer.email !== null) this.#byEmail.set(developer.email.toLowerCase(), developer.id);
    return tenant;
  }

  /** Never forgets this developer (the keys `startReferenceServer().addDeveloper` and the dev server print). */
  pin(developerId: string): void {
    this.#pinned.add(developerId);
  }

  /** Calls `listener` with the id of each developer forgotten (for tables kept beside the store). */
  onDeveloperForgotten(listener: (developerId: string) => void): void {
    this.#forgottenListeners.push(listener);
  }

  /** Marks a developer as just active (it becomes the last to be forgotten): API keys and SCIM tokens do, and grant tokens (app.ts). */
  touch(developerId: string): void {
    this.#touch(developerId);
  }

  #touch(developerId: string): void {
    this.#recency.delete(developerId);
    this.#recency.set(developerId, true);
  }

  #forget(developerId: string): void {
    const tenant = this.#tenants.get(developerId);
    this.#recency.delete(developerId);
    if (tenant === undefined) return;
    this.#tenants.delete(developerId);
    this.#byApiKey.delete(tenant.developer.apiKey);
    if (tenant.developer.email !== null) this.#byEmail.delete(tenant.developer.email.toLowerCase());
    for (const token of tenant.scimTokens.values()) this.#byScimToken.delete(token.token);
    for (const id of tenant.authRequests.keys()) this.#authRequestOwner.delete(id);
    for (const listener of this.#forgottenListeners) listener(developerId);
  }

  /** Whether a developer already uses this email (case-insensitive). */
  emailTaken(email: string): boolean {
    return this.#byEmail.has(email.toLowerCase());
  }

  tenant(developerId: string): Tenant | undefined {
    return this.#tenants.get(developerId);
  }

  /** Gives a developer a new API key; the old one stops working at once. */
  rotateApiKey(developerId: string, apiKey: string): void {
    const tenant = this.#tenants.get(developerId);
    if (tenant === undefined) return;
    this.#byApiKey.delete(tenant.developer.apiKey);
    tenant.developer.apiKey = apiKey;
    this.#byApiKey.set(apiKey, developerId);
  }

  /** The tenant of an API key; the developer counts as active. */
  tenantByApiKey(apiKey: string): Tenant | undefined {
    const id = this.#byApiKey.get(apiKey);
    if (id === undefined) return undefined;
    this.#touch(id);
    return this.#tenants.get(id);
  }

  /** Every tenant; only faults and the test IdP look across tenants. */
  allTenants(): IterableIterator<Tenant> {
    return this.#tenants.values();
  }

  /**
   * Stores a new authorization request and its consent-page index. A tenant
   * keeps at most {@link MAX_AUTH_REQUESTS}; past that the oldest goes, so
   * memory stays bounded under any load (its code then no longer exchanges).
   */
  addAuthRequest(tenant: Tenant, request: AuthRequestRecord): void {
    tenant.authRequests.set(request.id, request);
    this.#authRequestOwner.set(request.id, tenant.developer.id);
    for (const oldest of tenant.authRequests.keys()) {
      if (tenant.authRequests.size <= MAX_AUTH_REQUESTS) break;
      tenant.authRequests.delete(oldest);
      this.#authRequestOwner.delete(oldest);
    }
  }

  /** The tenant owning an authorization request (the consent page's capability). */
  tenantOfAuthRequest(authRequestId: string): Tenant | undefined {
    const id = this.#authRequestOwner.get(authRequestId);
    return id === undefined ? undefined : this.#tenants.get(id);
  }

  indexScimToken(token: string, developerId: string): void {
    this.#byScimToken.set(token, developerId);
  }

  unindexScimToken(token: string): void {
    this.#byScimToken.delete(token);
  }

  tenantByScimToken(token: string): Tenant | undefined {
    const id = this.#byScimToken.get(token);
    if (id === undefined) return undefined;
    this.#touch(id);
    return this.#tenants.get(id);
  }
}
