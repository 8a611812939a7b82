/**
 * @module checks/tokens
 * Grant tokens: they verify against the server's JWKS with RS256 (using this
 * package's `verifyGrantToken`), carry exactly what was requested and
 * approved, honour `expiresIn`; codes are single-use and bound to their agent;
 * PKCE is enforced; refresh tokens rotate single-use; revocation and expiry
 * show in the online check; every token names one issuer, whose published key
 * set verifies it.
 */
import fc from 'fast-check';
import { CheckFailure, expectThat, show, type Check } from '../engine/check.js';
import {
  audience,
  durationSeconds,
  expiresInOverDay,
  expiresInWithinDay,
  principalTag,
  scopes,
  type Duration,
} from '../model/arbitraries.js';
import { CheckSkipped } from '../engine/failures.js';
import { sleep } from '../http/http.js';
import { computeCodeChallenge, GrantexTokenError, verifyGrantToken } from '../engine/integrity.js';
import { fetchIssuerKeySet, IssuerKeySetUnavailable } from '../http/issuer.js';
import { decodeToken, expectStatus, type Issued, type Session } from '../engine/session.js';

const DAY = 86_400;
/**
 * Seconds of slack on `exp - iat` against the asked lifetime. SPEC.md states
 * the rule exactly (§5.2 expiresIn, §6.2 iat/exp) and gives no tolerance;
 * iat and exp are whole seconds (§6.2 shows integers), and a server may read
 * its clock once for the grant's expiry and once for iat within the same
 * exchange, so 5 s covers rounding and a slow request, nothing more.
 */
const SLACK = 5;
/** `expiresAt` may carry milliseconds while `exp` is whole seconds (SPEC §5.3 and §6.2 examples): up to 1 s apart, and rounding either way. */
const EXPIRES_AT_SLACK = 1.5;

/**
 * Verifies offline with the package's verifier against the base URL's key set;
 * a refusal fails the check with its code. Whether the issuer named in `iss`
 * publishes that key set is `tokens.issuer`'s concern alone.
 */
export async function verifyOffline(
  session: Session,
  token: string,
  options: { audience?: string; currentDate?: Date; clockTolerance?: number } = {},
): Promise<void> {
  const jwks = (await session.jwks()) as Parameters<typeof verifyGrantToken>[1]['jwks'] & object;
  try {
    await verifyGrantToken(token, { jwks, ...options });
  } catch (error) {
    const code = error instanceof GrantexTokenError ? error.code : 'error';
    throw new CheckFailure(
      'the grant token does not verify against the server’s JWKS (SPEC §6.4)',
      'an RS256 signature by a key the JWKS publishes, unexpired',
      `${code}: ${error instanceof Error ? error.message : String(error)} (header ${show(decodeToken(token).header)})`,
    );
  }
}

/** Checks every claim of a freshly issued token against what was asked for. */
export function checkClaims(issued: Issued, asked: { scopes: string[]; lifetime: number; audience?: string }): void {
  const { claims, header } = issued;
  expectThat(header['alg'] === 'RS256', 'the token is not signed with RS256', 'header alg RS256', show(header));
  expectThat(
    typeof header['kid'] === 'string' && header['kid'] !== '',
    'the token header names no key',
    'a kid',
    show(header),
  );
  const scp = claims['scp'];
  expectThat(
    Array.isArray(scp) && sameSet(scp, asked.scopes),
    '`scp` is not exactly the approved scopes',
    show(asked.scopes),
    show(scp),
  );
  expectThat(
    sameSet(issued.scopes, asked.scopes),
    'the response `scopes` are not the approved scopes',
    show(asked.scopes),
    show(issued.scopes),
  );
  expectThat(
    claims['sub'] === issued.principalId,
    '`sub` is not the principal',
    show(issued.principalId),
    show(claims['sub']),
  );
  expectThat(
    claims['agt'] === issued.agent.did,
    '`agt` is not the agent DID',
    show(issued.agent.did),
    show(claims['agt']),
  );
  expectThat(
    claims['dev'] === issued.agent.developerId,
    '`dev` is not the developer',
    show(issued.agent.developerId),
    show(claims['dev']),
  );
  expectThat(
    claims['grnt'] === issued.grantId,
    '`grnt` is not the grant id of the response',
    show(issued.grantId),
    show(claims['grnt']),
  );
  expectThat(
    typeof claims['iss'] === 'string' && claims['iss'] !== '',
    '`iss` is missing',
    'a non-empty issuer',
    show(claims['iss']),
  );
  expectThat(
    typeof claims['jti'] === 'string' && /^tok_/.test(claims['jti']),
    '`jti` is not a token id',
    'tok_…',
    show(claims['jti']),
  );
  if (asked.audience !== undefined) {
    const aud = claims['aud'];
    const named = aud === asked.audience || (Array.isArray(aud) && aud.includes(asked.audience));
    expectThat(named, '`aud` is not the requested audience (SPEC §5.2)', show(asked.audience), show(aud));
  } else {
    expectThat(
      claims['aud'] === undefined,
      '`aud` is set although no audience was requested',
      'no aud',
      show(claims['aud']),
    );
  }
  const iat = claims['iat'];
  const exp = claims['exp'];
  expectThat(
    typeof iat === 'number' && typeof exp === 'number',
    '`iat`/`exp` are not numbers',
    'numeric iat and exp',
    `${show(iat)} / ${show(exp)}`,
  );
  const lifetime = exp - iat;
  expectThat(
    Math.abs(lifetime - asked.lifetime) <= SLACK,
    '`exp` does not honour expiresIn',
    `exp - iat = ${asked.lifetime}s (±${SLACK})`,
    `${lifetime}s`,
  );
  const expiresAt = Date.parse(issued.expiresAt) / 1000;
  expectThat(
    Math.abs(expiresAt - exp) <= EXPIRES_AT_SLACK,
    'the response `expiresAt` is not the token `exp`',
    new Date(exp * 1000).toISOString(),
    issued.expiresAt,
  );
}

export function sameSet(a: readonly unknown[], b: readonly unknown[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((item) => right.has(item));
}

const verifier = fc.stringMatching(/^[A-Za-z0-9._~-]{43,128}$/);

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

/** Ways to corrupt a genuine token; none may verify. */
const tamperings: Array<{ name: string; apply: (token: string) => string }> = [
  {
    name: 'payload with an extra scope, original signature',
    apply: (token) => {
      const [header, payload, signature] = token.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as { scp: string[] };
      claims.scp = [...claims.scp, 'admin:all'];
      return `${header}.${base64url(JSON.stringify(claims))}.${signature}`;
    },
  },
  {
    name: 'flipped signature byte',
    apply: (token) => {
      const [header, payload, signature] = token.split('.');
      const bytes = Buffer.from(signature!, 'base64url');
      bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0x01;
      return `${header}.${payload}.${bytes.toString('base64url')}`;
    },
  },
  {
    name: 'alg none, no signature',
    apply: (token) => {
      const [, payload] = token.split('.');
      return `${base64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${payload}.`;
    },
  },
  { name: 'truncated', apply: (token) => token.slice(0, Math.floor(token.length / 2)) },
  { name: 'not a JWT', apply: () => 'not-a-token' },
];

type Jwks = Parameters<typeof verifyGrantToken>[1]['jwks'] & object;

/** Where the key set that must verify a token with issuer `iss` comes from: `--issuer` pins it to the base URL. */
async function issuerKeySet(session: Session, iss: string): Promise<{ url: string; jwks: Jwks }> {
  if (session.options.issuer !== undefined) {
    return { url: `${session.http.baseUrl}/.well-known/jwks.json`, jwks: (await session.jwks()) as Jwks };
  }
  try {
    const fetched = await fetchIssuerKeySet(iss, session.options.timeoutMs);
    return { url: fetched.url, jwks: fetched.jwks as Jwks };
  } catch (error) {
    if (!(error instanceof IssuerKeySetUnavailable)) throw error;
    throw new CheckFailure(
      `the key set of the token issuer cannot be fetched from ${error.url} (SPEC §6.4 rule 1)`,
      'a JWKS at iss + /.well-known/jwks.json that verifiers can fetch',
      `${error.message}. Hint: if the issuer is not reachable from here (e.g. behind a proxy), run with --issuer ${iss} to check iss against it and verify with the base URL's key set`,
    );
  }
}

export const tokenChecks: Check[] = [
  {
    id: 'tokens.claims',
    area: 'tokens',
    clause: 'SPEC §6.2 claims, §6.4 validation, §5.2 audience; expiresIn',
    level: 'MUST',
    title:
      'issued tokens verify against the JWKS (RS256) and carry exactly the approved scopes, sub, agt, dev, grnt, aud, and exp = iat + expiresIn',
    property: { requests: 5, authorize: 1, token: 1 },
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.agent(dev);
      const example: [string[], Duration | undefined, string | undefined, string] = [
        ['calendar:read', 'email:send'],
        { text: '2h', seconds: 7200 },
        'https://api.example.test',
        'alice',
      ];
      await ctx.property(
        [
          scopes(5),
          fc.option(expiresInWithinDay, { nil: undefined }),
          fc.option(audience, { nil: undefined }),
          principalTag,
        ],
        async (asked, expiresIn, aud, tag) => {
          const issued = await session.issue(dev, {
            agent,
            scopes: asked,
            principalId: session.principal(tag),
            ...(expiresIn ? { expiresIn: expiresIn.text } : {}),
            ...(aud ? { audience: aud } : {}),
          });
          await verifyOffline(session, issued.grantToken, aud ? { audience: aud } : {});
          checkClaims(issued, {
            scopes: asked,
            lifetime: expiresIn?.seconds ?? DAY,
            ...(aud ? { audience: aud } : {}),
          });
          const online = await session.verifyOnline(dev, issued.grantToken);
          expectStatus(online, 200, 'POST /v1/tokens/verify');
          const verdict = online.body as {
            valid?: boolean;
            grantId?: string;
            scopes?: string[];
            principal?: string;
            agent?: string;
          };
          expectThat(verdict.valid === true, 'a fresh token does not verify online', 'valid: true', show(verdict));
          expectThat(
            verdict.grantId === issued.grantId &&
              sameSet(verdict.scopes ?? [], asked) &&
              verdict.principal === issued.principalId &&
              verdict.agent === agent.did,
            'the online check reports another grant',
            show({ grantId: issued.grantId, scopes: asked, principal: issued.principalId, agent: agent.did }),
            show(verdict),
          );
        },
        { examples: [example] },
      );
    },
  },
  {
    id: 'tokens.issuer',
    area: 'tokens',
    clause: 'SPEC §6.2 iss; §6.4 rule 1 the signature verifies with the JWKS at iss/.well-known/jwks.json',
    level: 'MUST',
    title:
      'every grant token names the same issuer, and the key set at iss + /.well-known/jwks.json verifies it (with --issuer: iss is that URL and the base URL’s key set verifies it)',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.agent(dev);
      // Two exchanges and a refresh: three tokens from three issuing paths of one server.
      const first = await session.issue(dev, { agent, scopes: ['calendar:read'] });
      const second = await session.issue(dev, { agent, scopes: ['email:read'] });
      const refreshed = await session.refresh(dev, second.refreshToken, agent.agentId);
      expectStatus(refreshed, 201, 'POST /v1/token/refresh');
      const third = session.issuedFrom(refreshed, agent, second.principalId);
      const iss = first.claims['iss'];
      expectThat(typeof iss === 'string' && iss !== '', '`iss` is missing', 'a non-empty issuer string', show(iss));
      // Every token of the run so far, not only these three (the session counts each token's iss).
      const seen = [...session.issuers.keys()];
      expectThat(
        seen.length === 1,
        'the grant tokens name different issuers (SPEC §6.2: one iss)',
        show(iss),
        seen.map((name) => `${name} (${session.issuers.get(name)} token(s))`).join(', '),
      );
      const pinned = session.options.issuer;
      if (pinned !== undefined)
        expectThat(iss === pinned, '`iss` is not the issuer given with --issuer', show(pinned), show(iss));
      const { url, jwks } = await issuerKeySet(session, iss);
      for (const token of [first, second, third]) {
        try {
          await verifyGrantToken(token.grantToken, { jwks });
        } catch (error) {
          const code = error instanceof GrantexTokenError ? error.code : 'error';
          throw new CheckFailure(
            `the key set at ${url} does not verify a token naming that issuer (SPEC §6.4 rule 1)`,
            `an RS256 signature by a key published at ${url}`,
            `${code}: ${error instanceof Error ? error.message : String(error)} (header ${show(token.header)})`,
          );
        }
      }
      const foreign = new URL(url).origin !== new URL(session.http.baseUrl).origin;
      ctx.note(
        `iss ${iss}; key set read from ${url}${foreign ? ' (an origin named by the tokens, not by the command line: SPEC §6.4 has verifiers fetch it; --issuer avoids it)' : ''}`,
      );
    },
  },
  {
    id: 'tokens.max-lifetime',
    area: 'tokens',
    clause: 'SPEC §7.4 token lifetime: 24 hours (max)',
    level: 'SHOULD',
    title: 'an expiresIn over 24 h is refused or capped at 24 h',
    property: { requests: 4, authorize: 1, token: 1 },
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.agent(dev);
      await ctx.property(
        [expiresInOverDay],
        async (expiresIn) => {
          const authorized = await session.authorize(dev, {
            agentId: agent.agentId,
            principalId: session.principal('ttl'),
            scopes: ['calendar:read'],
            expiresIn: expiresIn.text,
          });
          if (authorized.status === 400) return;
          expectStatus(authorized, [201, 400], 'POST /v1/authorize with a long expiresIn');
          const { code } = await session.approve(dev, authorized);
          const exchanged = await session.exchange(dev, code, agent.agentId);
          expectStatus(exchanged, 201, 'POST /v1/token');
          const { claims } = decodeToken((exchanged.body as { grantToken: string }).grantToken);
          const lifetime = Number(claims['exp']) - Number(claims['iat']);
          expectThat(
            lifetime <= DAY + SLACK,
            `a grant token lives longer than 24 h (expiresIn ${expiresIn.text})`,
            `exp - iat ≤ ${DAY}s`,
            `${lifetime}s`,
          );
        },
        { maxRuns: 3, examples: [[{ text: '48h', seconds: 172_800 }]] },
      );
    },
  },
  {
    id: 'tokens.code-single-use',
    area: 'tokens',
    clause: 'SPEC §5.3 token exchange; RFC 6749 §4.1.2 codes are single-use',
    level: 'MUST',
    title: 'an authorization code is exchanged once; the second exchange answers 400',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.agent(dev);
      const authorized = await session.authorize(dev, {
        agentId: agent.agentId,
        principalId: session.principal('code'),
        scopes: ['files:read'],
      });
      expectStatus(authorized, 201, 'POST /v1/authorize');
      const { code } = await session.approve(dev, authorized);
      expectStatus(await session.exchange(dev, code, agent.agentId), 201, 'first exchange of the code');
      expectStatus(await session.exchange(dev, code, agent.agentId), 400, 'second exchange of the same code');
    },
  },
  {
    id: 'tokens.code-bound-to-agent',
    area: 'tokens',
    clause: 'SPEC §5.3 the code is exchanged together with the agent it was issued for',
    level: 'MUST',
    title: 'a code cannot be exchanged for another agent of the same developer',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.agent(dev);
      const other = await session.agent(dev, 'other');
      const authorized = await session.authorize(dev, {
        agentId: agent.agentId,
        principalId: session.principal('bound'),
        scopes: ['files:read'],
      });
      expectStatus(authorized, 201, 'POST /v1/authorize');
      const { code } = await session.approve(dev, authorized);
      expectStatus(await session.exchange(dev, code, other.agentId), 400, 'exchanging the code for another agent');
      expectStatus(
        await session.exchange(dev, code, 'ag_00000000000000000000000000'),
        400,
        'exchanging the code for an unknown agent',
      );
    },
  },
  {
    id: 'tokens.pkce',
    area: 'tokens',
    clause: 'RFC 7636 §4.6 the server verifies code_verifier; SPEC §5.3',
    level: 'MUST',
    title:
      'with a codeChallenge, exchange needs the matching verifier (missing or wrong: 400, the code stays usable); only S256 is accepted',
    property: { requests: 6, authorize: 1, token: 3 },
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.agent(dev);
      const plain = await session.authorize(dev, {
        agentId: agent.agentId,
        principalId: session.principal('pkce'),
        scopes: ['files:read'],
        codeChallenge: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
        codeChallengeMethod: 'plain',
      });
      expectStatus(plain, 400, 'authorize with codeChallengeMethod "plain"');
      await ctx.property(
        [verifier, verifier],
        async (right, wrong) => {
          const challenge = await computeCodeChallenge(right);
          const authorized = await session.authorize(dev, {
            agentId: agent.agentId,
            principalId: session.principal('pkce'),
            scopes: ['files:read'],
            codeChallenge: challenge,
            codeChallengeMethod: 'S256',
          });
          expectStatus(authorized, 201, 'POST /v1/authorize with a codeChallenge');
          const { code } = await session.approve(dev, authorized);
          expectStatus(await session.exchange(dev, code, agent.agentId), 400, 'exchange without the codeVerifier');
          if (wrong !== right)
            expectStatus(
              await session.exchange(dev, code, agent.agentId, wrong),
              400,
              'exchange with a wrong codeVerifier',
            );
          expectStatus(
            await session.exchange(dev, code, agent.agentId, right),
            201,
            'exchange with the right codeVerifier',
          );
        },
        { examples: [['dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK']] },
      );
    },
  },
  {
    id: 'tokens.refresh-rotation',
    area: 'tokens',
    clause: 'SPEC §7.4 refresh tokens are single-use and rotated on every refresh',
    level: 'MUST',
    title: 'a refresh gives a new token and refresh token for the same grant; a used refresh token answers 400',
    property: { requests: 8, authorize: 1, token: 4 },
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.agent(dev);
      const other = await session.agent(dev, 'other');
      await ctx.property(
        [fc.integer({ min: 1, max: 3 })],
        async (rotations) => {
          const issued = await session.issue(dev, { agent, scopes: ['calendar:read', 'contacts:read'] });
          let current = issued;
          for (let i = 0; i < rotations; i++) {
            const refreshed = await session.refresh(dev, current.refreshToken, agent.agentId);
            expectStatus(refreshed, 201, `refresh #${i + 1}`);
            const next = session.issuedFrom(refreshed, agent, issued.principalId);
            expectThat(
              next.refreshToken !== current.refreshToken,
              'the refresh token was not rotated',
              'a new refreshToken',
              show(next.refreshToken),
            );
            expectThat(
              next.grantId === issued.grantId,
              'refresh changed the grant',
              show(issued.grantId),
              show(next.grantId),
            );
            expectThat(next.jti !== current.jti, 'refresh reissued the same token id', 'a new jti', show(next.jti));
            expectThat(
              sameSet(next.scopes, issued.scopes) && sameSet(next.claims['scp'] as string[], issued.scopes),
              'refresh changed the scopes',
              show(issued.scopes),
              show(next.claims['scp']),
            );
            await verifyOffline(session, next.grantToken);
            expectStatus(
              await session.refresh(dev, current.refreshToken, agent.agentId),
              400,
              `reusing the refresh token spent by refresh #${i + 1}`,
            );
            current = next;
          }
          expectStatus(
            await session.refresh(dev, current.refreshToken, other.agentId),
            400,
            'refreshing for another agent',
          );
        },
        { maxRuns: 5, examples: [[2]] },
      );
    },
  },
  {
    id: 'tokens.revoke-token',
    area: 'tokens',
    clause: 'SPEC §7.2 revoke a specific token; §7.3 online revocation check',
    level: 'MUST',
    title:
      'a revoked jti verifies invalid online; a sibling token of the same grant stays valid; revoking again answers 404',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.agent(dev);
      const issued = await session.issue(dev, { agent, scopes: ['email:read'] });
      const refreshed = await session.refresh(dev, issued.refreshToken, agent.agentId);
      expectStatus(refreshed, 201, 'POST /v1/token/refresh');
      const sibling = session.issuedFrom(refreshed, agent, issued.principalId);
      expectStatus(await session.revokeToken(dev, issued.jti), 204, 'POST /v1/tokens/revoke');
      expectThat(
        !(await session.isValidOnline(dev, issued.grantToken)),
        'a revoked token still verifies online',
        'valid: false',
        'valid: true',
      );
      expectThat(
        await session.isValidOnline(dev, sibling.grantToken),
        'revoking one token invalidated its sibling',
        'valid: true for the refreshed token',
        'valid: false',
      );
      expectStatus(await session.revokeToken(dev, issued.jti), 404, 'revoking the same jti again');
      expectStatus(await session.revokeToken(dev, 'tok_00000000000000000000000000'), 404, 'revoking an unknown jti');
      expectStatus(
        await session.request(dev, { method: 'POST', path: '/v1/tokens/revoke', json: {} }),
        400,
        'revoking without a jti',
      );
    },
  },
  {
    id: 'tokens.revoke-grant',
    area: 'tokens',
    clause: 'SPEC §7.1 revoking a grant invalidates all its tokens',
    level: 'MUST',
    title:
      'after DELETE /v1/grants/{id}: every token of the grant is invalid online, its refresh token is refused, the record reads revoked',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.agent(dev);
      const issued = await session.issue(dev, { agent, scopes: ['files:read', 'files:write'] });
      const refreshed = await session.refresh(dev, issued.refreshToken, agent.agentId);
      expectStatus(refreshed, 201, 'POST /v1/token/refresh');
      const second = session.issuedFrom(refreshed, agent, issued.principalId);
      const before = await session.getGrant(dev, issued.grantId);
      expectStatus(before, 200, 'GET /v1/grants/{id}');
      expectThat(
        (before.body as { status?: string }).status === 'active',
        'a new grant is not active',
        'status active',
        show(before.body),
      );
      expectStatus(await session.revokeGrant(dev, issued.grantId), 204, 'DELETE /v1/grants/{id}');
      expectThat(
        !(await session.isValidOnline(dev, issued.grantToken)),
        'a token of a revoked grant still verifies online',
        'valid: false',
        'valid: true',
      );
      expectThat(
        !(await session.isValidOnline(dev, second.grantToken)),
        'a refreshed token of a revoked grant still verifies online',
        'valid: false',
        'valid: true',
      );
      expectStatus(await session.refresh(dev, second.refreshToken, agent.agentId), 400, 'refreshing a revoked grant');
      const after = await session.getGrant(dev, issued.grantId);
      expectStatus(after, 200, 'GET /v1/grants/{id} after revocation');
      const record = after.body as { status?: string; revokedAt?: string };
      expectThat(record.status === 'revoked', 'the grant record does not read revoked', 'status revoked', show(record));
      expectStatus(await session.revokeGrant(dev, issued.grantId), 404, 'revoking the same grant again');
    },
  },
  {
    id: 'tokens.grants-verify',
    area: 'tokens',
    clause:
      'SPEC §7.1 a revoked grant’s tokens are invalidated at once; OpenAPI grantsVerify (SPEC.md does not list POST /v1/grants/verify: a server without it is not implemented, not failed)',
    level: 'MUST',
    title:
      'grants/verify returns the verified claims of a live token, reason revoked once its grant is revoked, and 400 for a token that does not verify',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const issued = await session.issue(dev, {
        agent: await session.agent(dev),
        scopes: ['calendar:read', 'email:read'],
      });
      const verify = (token: string) =>
        session.request(dev, { method: 'POST', path: '/v1/grants/verify', json: { token } });
      const live = await verify(issued.grantToken);
      if (live.status === 404) {
        ctx.notImplemented(
          'POST /v1/grants/verify answers 404: the server does not offer it (SPEC.md §10.1 does not require it)',
        );
      }
      expectStatus(live, 200, 'POST /v1/grants/verify of a live token');
      const body = live.body as { active?: boolean; claims?: Record<string, unknown> };
      expectThat(
        body.active === true && body.claims?.['grnt'] === issued.grantId && body.claims['jti'] === issued.jti,
        'grants/verify does not report the live token with its claims',
        `active: true, claims.grnt ${issued.grantId}`,
        show(body),
      );
      expectStatus(await verify('not-a-token'), 400, 'POST /v1/grants/verify of a malformed token');
      expectStatus(await session.revokeGrant(dev, issued.grantId), 204, 'DELETE /v1/grants/{id}');
      const revoked = await verify(issued.grantToken);
      expectStatus(revoked, 200, 'POST /v1/grants/verify of a token of a revoked grant');
      const after = revoked.body as { active?: boolean; reason?: string };
      expectThat(
        after.active === false && after.reason === 'revoked',
        'grants/verify does not report the revocation',
        'active: false, reason: revoked',
        show(after),
      );
    },
  },
  {
    id: 'tokens.expired',
    area: 'tokens',
    clause: 'SPEC §6.4 exp has not passed; §7.3 online check',
    level: 'MUST',
    title: 'once exp has passed a token verifies invalid online and offline',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.agent(dev);
      const issued = await issuePromptly(session, dev, agent);
      const localAtIssue = Date.now();
      const exp = Number(issued.claims['exp']);
      expectThat(
        exp - issued.issuedAt <= durationSeconds('3s') + SLACK,
        '`exp` does not honour a 3 s expiresIn',
        'exp - iat ≈ 3 s',
        `${exp - issued.issuedAt}s`,
      );
      // Wait on the server's clock, not ours: exp - iat from now. iat is whole seconds at or before
      // the real issue time (SPEC §6.2), so exp is passed 1 s after that at most; 1.5 s adds margin.
      const wait = (exp - issued.issuedAt) * 1000 + EXPIRES_AT_SLACK * 1000;
      if (wait > 15_000)
        throw new CheckFailure(
          'the token expires much later than asked',
          'exp within seconds',
          new Date(exp * 1000).toISOString(),
        );
      await sleep(Math.max(0, localAtIssue + wait - Date.now()));
      const serverNow = new Date((issued.issuedAt + (Date.now() - localAtIssue) / 1000) * 1000);
      expectThat(
        !(await session.isValidOnline(dev, issued.grantToken)),
        'an expired token still verifies online',
        'valid: false',
        'valid: true',
      );
      let offline = true;
      try {
        await verifyOffline(session, issued.grantToken, { clockTolerance: 0, currentDate: serverNow });
      } catch {
        offline = false;
      }
      expectThat(!offline, 'an expired token still verifies offline', 'expired', 'verified');
    },
  },
  {
    id: 'tokens.tampered',
    area: 'tokens',
    clause: 'SPEC §6.4 signature; §14 alg none rejected; OpenAPI tokensVerify',
    level: 'MUST',
    title: 'a tampered, unsigned or malformed token verifies invalid online; a missing token answers 400',
    property: { requests: 1 },
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const issued = await session.sharedGrant(dev);
      expectStatus(
        await session.request(dev, { method: 'POST', path: '/v1/tokens/verify', json: {} }),
        400,
        'verifying without a token',
      );
      await ctx.property(
        [fc.constantFrom(...tamperings)],
        async (tampering) => {
          const exchange = await session.verifyOnline(dev, tampering.apply(issued.grantToken));
          expectStatus(exchange, 200, `verifying a token with ${tampering.name}`);
          expectThat(
            (exchange.body as { valid?: unknown }).valid === false,
            `a token with ${tampering.name} verifies online`,
            'valid: false',
            show(exchange.body),
          );
        },
        { examples: tamperings.map((tampering) => [tampering] as [typeof tampering]), maxRuns: tamperings.length },
      );
    },
  },
];

/**
 * A 3 s grant for tokens.expired. A server may let the authorization request
 * live only as long as the grant it asks for, so a code exchanged after a wait
 * of ours (a 429 on the token route) can be refused through no fault of the
 * server. Such a refusal is retried once, then skipped; a prompt exchange that
 * fails still fails the check.
 */
async function issuePromptly(
  session: Session,
  dev: Session['devA'],
  agent: Awaited<ReturnType<Session['agent']>>,
): Promise<Issued> {
  for (let attempt = 1; ; attempt++) {
    const started = Date.now();
    try {
      return await session.issue(dev, { agent, scopes: ['profile:read'], expiresIn: '3s' });
    } catch (error) {
      if (Date.now() - started <= durationSeconds('3s') * 1000) throw error;
      if (attempt === 2)
        throw new CheckSkipped(
          'rate-limit waits outlasted the 3 s authorization request twice, so its code could not be exchanged in time',
        );
    }
  }
}
