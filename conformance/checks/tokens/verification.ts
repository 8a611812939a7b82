/**
 * @module checks/tokens/verification
 * Verifying tokens: grants/verify returns a live token's claims, an expired
 * token verifies invalid online and offline, and a tampered, unsigned or
 * malformed one never verifies.
 */
import fc from 'fast-check';
import { CheckFailure, expectThat, show, type Check } from '../../engine/check.js';
import { durationSeconds } from '../../model/arbitraries.js';
import { CheckSkipped } from '../../engine/failures.js';
import { sleep } from '../../http/http.js';
import { judgeEach } from '../../engine/judge-each.js';
import { expectStatus } from '../../engine/session/expect.js';
import type { Issued } from '../../engine/session/types.js';
import type { Session } from '../../engine/session/session.js';
import { SLACK, EXPIRES_AT_SLACK, verifyOffline } from './assertions.js';

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

export const verificationChecks: Check[] = [
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
      // A live token, a malformed one and a revoked one are judged apart: each failing answer is its own finding.
      await judgeEach(ctx, [
        {
          name: 'a live token',
          async run() {
            expectStatus(live, 200, 'POST /v1/grants/verify of a live token');
            const body = live.body as { active?: boolean; claims?: Record<string, unknown> };
            expectThat(
              body.active === true && body.claims?.['grnt'] === issued.grantId && body.claims['jti'] === issued.jti,
              'grants/verify does not report the live token with its claims',
              `active: true, claims.grnt ${issued.grantId}`,
              show(body),
            );
          },
        },
        {
          name: 'a malformed token',
          run: async () =>
            expectStatus(await verify('not-a-token'), 400, 'POST /v1/grants/verify of a malformed token'),
        },
        {
          name: 'a token of a revoked grant',
          async run() {
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
      ]);
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
