/**
 * @module engine/session/session
 * The session the checks of one run share: the run's state (developers,
 * extensions, agents, cleanup: see run-state) plus the protocol helpers
 * (authorize → approve → exchange, refresh, verify, revoke, delegate) that
 * talk raw HTTP through the recorder, and each developer's key mode.
 */
import { CheckFailure, show } from '../failures.js';
import type { Exchange } from '../types.js';
import { expectStatus, decodeToken } from './expect.js';
import type { Mode, Developer, Agent, Issued, Approval, IssueRequest } from './types.js';
import { RunState } from './run-state.js';

/** Scopes of the shared grant: the union of what its users read or delegate. */
const SHARED_GRANT_SCOPES = ['calendar:read', 'email:read', 'email:send', 'contacts:read'];

export class Session extends RunState {
  /** The `iss` of every grant token the run obtained, with how many carried it (SPEC §6.2: one issuer). */
  readonly issuers = new Map<string, number>();
  #live: Developer | undefined | null = undefined;
  #jwks: unknown;
  #shared = new Map<Developer, Issued>();

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

  /**
   * `POST /v1/audit/log` for `grant`'s agent, grant and principal, with the
   * rest of the entry (action, status, metadata) from `entry`.
   */
  logAudit(
    dev: Developer,
    grant: { agent: Pick<Agent, 'agentId' | 'did'>; grantId: string; principalId: string },
    entry: Record<string, unknown>,
  ): Promise<Exchange> {
    return this.request(dev, {
      method: 'POST',
      path: '/v1/audit/log',
      json: {
        agentId: grant.agent.agentId,
        agentDid: grant.agent.did,
        grantId: grant.grantId,
        principalId: grant.principalId,
        ...entry,
      },
    });
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

  // ---------------------------------------------------------------- key mode

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

  /** A developer with a live key (A, B, or a new signup); undefined when none can be had. */
  async liveDeveloper(): Promise<Developer | undefined> {
    if (this.#live !== undefined) return this.#live ?? undefined;
    for (const dev of [this.devA, await this.devB()]) {
      if (dev && (await this.modeOf(dev)) === 'live') return (this.#live = dev);
    }
    this.#live = null;
    return undefined;
  }
}
