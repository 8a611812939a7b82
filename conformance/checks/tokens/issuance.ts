/**
 * @module checks/tokens/issuance
 * Issued tokens: their claims are exactly what was asked for and approved,
 * every token names one issuer whose published key set verifies it, and an
 * expiresIn of exactly 24 h is granted while one over 24 h is refused or capped.
 */
import fc from 'fast-check';
import { CheckFailure, expectThat, show, type Check } from '../../engine/check.js';
import {
  audience,
  expiresInOverDay,
  expiresInWithinDay,
  principalTag,
  scopes,
  type Duration,
} from '../../model/arbitraries.js';
import { GrantexTokenError, verifyGrantToken } from '../../engine/integrity.js';
import { fetchIssuerKeySet, IssuerKeySetUnavailable } from '../../http/issuer.js';
import { decodeToken, expectStatus } from '../../engine/session/expect.js';
import type { Session } from '../../engine/session/session.js';
import { DAY, SLACK, checkClaims, sameSet, verifyOffline } from './assertions.js';
import { judgeEach } from '../../engine/judge-each.js';

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

export const issuanceChecks: Check[] = [
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
    title: 'an expiresIn of exactly 24 h is granted 24 h; one over 24 h is refused or capped at 24 h',
    property: { requests: 4, authorize: 1, token: 1 },
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.agent(dev);
      /** The lifetime (exp − iat) of the token issued for `expiresIn`, or undefined when authorize refused it with 400. */
      const lifetimeFor = async (expiresIn: string): Promise<number | undefined> => {
        const authorized = await session.authorize(dev, {
          agentId: agent.agentId,
          principalId: session.principal('ttl'),
          scopes: ['calendar:read'],
          expiresIn,
        });
        if (authorized.status === 400) return undefined;
        expectStatus(authorized, [201, 400], `POST /v1/authorize with expiresIn ${expiresIn}`);
        const { code } = await session.approve(dev, authorized);
        const exchanged = await session.exchange(dev, code, agent.agentId);
        expectStatus(exchanged, 201, 'POST /v1/token');
        const { claims } = decodeToken((exchanged.body as { grantToken: string }).grantToken);
        return Number(claims['exp']) - Number(claims['iat']);
      };
      await judgeEach(ctx, [
        {
          name: 'exactly 24 h, the limit',
          async run() {
            const lifetime = await lifetimeFor('24h');
            expectThat(
              lifetime !== undefined,
              'an expiresIn of exactly 24 h, the limit itself, was refused',
              '201, a grant of 24 h',
              '400',
            );
            expectThat(
              Math.abs(lifetime - DAY) <= SLACK,
              'an expiresIn of exactly 24 h was not granted 24 h',
              `exp - iat = ${DAY}s`,
              `${lifetime}s`,
            );
          },
        },
        {
          name: 'past 24 h',
          run: () =>
            ctx.property(
              [expiresInOverDay],
              async (expiresIn) => {
                const lifetime = await lifetimeFor(expiresIn.text);
                if (lifetime === undefined) return;
                expectThat(
                  lifetime <= DAY + SLACK,
                  `a grant token lives longer than 24 h (expiresIn ${expiresIn.text})`,
                  `exp - iat ≤ ${DAY}s`,
                  `${lifetime}s`,
                );
              },
              {
                maxRuns: 3,
                // One second past the 24 h limit, and far past it.
                examples: [[{ text: '86401s', seconds: 86_401 }], [{ text: '48h', seconds: 172_800 }]],
              },
            ),
        },
      ]);
    },
  },
];
