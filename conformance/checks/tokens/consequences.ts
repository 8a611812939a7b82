/**
 * @module checks/tokens/consequences
 * What a caller holds after a refusal or an expiry must be unusable too: the
 * code of a request the principal denied does not exchange, a code past its
 * lifetime does not exchange, and an expired grant yields no token that
 * verifies, neither by refresh nor by delegation. Each use is its own finding.
 */
import { CheckFailure, expectThat, type Check } from '../../engine/check.js';
import { SLACK } from './assertions.js';
import { CheckSkipped } from '../../engine/failures.js';
import { judgeEach, type Part } from '../../engine/judge-each.js';
import { sleep } from '../../http/http.js';
import { expectStatus } from '../../engine/session/expect.js';
import type { Developer, Issued } from '../../engine/session/types.js';
import type { Session } from '../../engine/session/session.js';
import type { Exchange } from '../../engine/types.js';

/** Lifetime of the grants and codes that must expire during the check. */
const SHORT = 3;

/** A developer of the run whose key is in `mode`, if any. */
async function developerIn(session: Session, mode: 'live' | 'sandbox'): Promise<Developer | undefined> {
  for (const dev of [session.devA, await session.devB()]) {
    if (dev && (await session.modeOf(dev)) === mode) return dev;
  }
  return undefined;
}

/**
 * A token answer that came back although the use should have been refused:
 * whatever it holds must not verify online. A refusal (4xx) is the expected
 * outcome; a 201 whose token is dead is tolerated with a note.
 */
async function nothingUsable(session: Session, dev: Developer, answer: Exchange, what: string): Promise<string | void> {
  if (answer.status >= 400 && answer.status < 500) return;
  expectStatus(answer, [201, 400, 403, 404], what);
  const token = (answer.body as { grantToken?: unknown } | undefined)?.grantToken;
  if (typeof token !== 'string') return;
  expectThat(
    !(await session.isValidOnline(dev, token)),
    `${what} was answered with a token that verifies online`,
    'a refusal, or a token that verifies invalid',
    'valid: true',
  );
  return `${what} answered 201 with a token that does not verify`;
}

/** The code of an approved request, denied before it was exchanged: if the deny is accepted, the code is dead. */
async function denyThenExchange(
  session: Session,
  dev: Developer,
  deny: (authRequestId: string) => Promise<Exchange>,
  label: string,
): Promise<void> {
  const agent = await session.agent(dev);
  const authorized = await session.authorize(dev, {
    agentId: agent.agentId,
    principalId: session.principal('deny-code'),
    scopes: ['files:read'],
  });
  expectStatus(authorized, 201, 'POST /v1/authorize');
  const { code } = await session.approve(dev, authorized);
  const denied = await deny((authorized.body as { authRequestId: string }).authRequestId);
  // Refusing to deny what is already approved is fine; accepting the deny means the code is withdrawn.
  if (denied.status !== 200) return;
  const exchanged = await session.exchange(dev, code, agent.agentId);
  expectStatus(exchanged, 400, `exchanging the code of a request whose ${label} answered 200`);
}

export const consequenceChecks: Check[] = [
  {
    id: 'tokens.code-after-deny',
    area: 'tokens',
    clause:
      'RFC 6749 §4.1.3 the server MUST verify that the authorization code is valid; SPEC §5.1 the code follows the principal’s approval',
    level: 'MUST',
    title:
      'a deny the server accepts for an approved, unexchanged request withdraws its code: the code no longer exchanges (consent and sandbox deny)',
    async run(ctx) {
      const { session } = ctx;
      const parts: Part[] = [];
      const live = await developerIn(session, 'live');
      if (live && session.options.approval !== 'sandbox')
        parts.push({
          name: 'consent deny after approval',
          run: () =>
            denyThenExchange(
              session,
              live,
              (id) => ctx.http.request({ method: 'POST', path: `/v1/consent/${id}/deny`, auth: null }),
              'consent deny',
            ),
        });
      const sandbox = await developerIn(session, 'sandbox');
      if (sandbox)
        parts.push({
          name: 'sandbox deny after approval',
          run: () =>
            denyThenExchange(
              session,
              sandbox,
              (id) => session.request(sandbox, { method: 'POST', path: `/v1/authorize/${id}/deny` }),
              'sandbox deny',
            ),
        });
      if (parts.length === 0) ctx.skip('no developer whose requests can be denied (no live or sandbox key)');
      await judgeEach(ctx, parts);
    },
  },
  {
    id: 'tokens.after-expiry',
    area: 'tokens',
    clause:
      'RFC 6749 §4.1.2 the authorization code MUST expire; SPEC §6.4 rule 2 exp has not passed; §9.1 step 5 delegated exp ≤ parent exp',
    level: 'MUST',
    title:
      'past its lifetime a code does not exchange, and an expired grant yields no token that verifies, by refresh or by delegation',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.agent(dev);
      const sub = await session.agent(dev, 'sub');
      const started = Date.now();
      const held = await session.authorize(dev, {
        agentId: agent.agentId,
        principalId: session.principal('expiring-code'),
        scopes: ['files:read'],
        expiresIn: `${SHORT}s`,
      });
      expectStatus(held, 201, `POST /v1/authorize with expiresIn ${SHORT}s`);
      const { code } = await session.approve(dev, held);
      let issued: Issued;
      try {
        issued = await session.issue(dev, { agent, scopes: ['calendar:read'], expiresIn: `${SHORT}s` });
      } catch (error) {
        // A rate-limit wait longer than the lifetime makes the exchange late through no fault of the server.
        if (Date.now() - started > SHORT * 1000)
          throw new CheckSkipped('rate-limit waits outlasted the 3 s authorization request');
        throw error;
      }
      const exp = Number(issued.claims['exp']);
      // A server that ignores expiresIn (tokens.claims judges that) would have the check wait for hours.
      if (!(exp - issued.issuedAt <= SHORT + SLACK))
        throw new CheckFailure(
          `a ${SHORT}s grant does not expire within seconds, so nothing can be judged past its expiry`,
          `exp - iat ≈ ${SHORT} s`,
          `${exp - issued.issuedAt} s`,
        );
      // Wait on the server's clock: exp - iat from now, plus the 1.5 s a whole-second iat may hide.
      await sleep(Math.max(0, (exp - issued.issuedAt) * 1000 + 1_500 - (Date.now() - started)));
      const notes: string[] = [];
      await judgeEach(ctx, [
        {
          name: 'a code past its lifetime',
          run: async () =>
            expectStatus(
              await session.exchange(dev, code, agent.agentId),
              400,
              `exchanging a code ${SHORT + 1} s after its ${SHORT}s request was approved`,
            ),
        },
        {
          name: 'refresh of an expired grant',
          run: async () => {
            const answer = await session.refresh(dev, issued.refreshToken, agent.agentId);
            const note = await nothingUsable(session, dev, answer, 'refreshing an expired grant');
            if (note) notes.push(note);
          },
        },
        {
          name: 'delegation from an expired token',
          run: async () => {
            const answer = await session.delegate(dev, {
              parentGrantToken: issued.grantToken,
              subAgentId: sub.agentId,
              scopes: ['calendar:read'],
            });
            const note = await nothingUsable(session, dev, answer, 'delegating from an expired token');
            if (note) notes.push(note);
          },
        },
      ]);
      for (const note of notes) ctx.note(note);
    },
  },
];
