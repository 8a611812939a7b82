/**
 * @module checks/tokens/consequences
 * What a caller holds after a refusal or an expiry must be unusable too: the
 * code of a request the principal denied does not exchange, an expired grant
 * token delegates to nothing that verifies (MUST, SPEC §9.1), and (SHOULD: no
 * MUST sentence names them) a code past its request's expiresAt does not
 * exchange, and refresh does not renew an expired grant.
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

/** Longest wait for a request's declared expiry (a server may give its requests minutes). */
const MAX_WAIT_MS = 10_000;

/** A grant of SHORT seconds, checked to expire within seconds. */
async function shortGrant(
  session: Session,
  dev: Developer,
  agent: Parameters<Session['issue']>[1]['agent'],
  started: number,
): Promise<Issued & { serverAhead: number }> {
  let issued: Issued;
  try {
    issued = await session.issue(dev, { agent, scopes: ['calendar:read'], expiresIn: `${SHORT}s` });
  } catch (error) {
    // A rate-limit wait longer than the lifetime makes the use late through no fault of the server.
    if (Date.now() - started > SHORT * 1000)
      throw new CheckSkipped(`rate-limit waits outlasted the ${SHORT} s lifetime`);
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
  // The token was issued before its answer arrived, so the server's clock is at least this far ahead of ours.
  return { ...issued, serverAhead: issued.issuedAt * 1000 - Date.now() };
}

/**
 * Milliseconds from now until `instant` (server clock, ms) has surely passed
 * on the server: its clock is at least `serverAhead` ahead of ours (a lower
 * bound from the token's iat), plus a second of margin. Waits measured this
 * way hold whatever rate-limit waits came before.
 */
function untilServerPast(instant: number, serverAhead: number): number {
  return Math.max(0, instant - serverAhead + 1_000 - Date.now());
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
      'SPEC §9.1 step 5 a delegated grant expires at min(parent token exp, now + expiresIn); §6.4 rule 2 exp has not passed',
    level: 'MUST',
    title: 'an expired grant token yields no token that verifies by delegation',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.agent(dev);
      const sub = await session.agent(dev, 'sub');
      const issued = await shortGrant(session, dev, agent, Date.now());
      await sleep(untilServerPast(Number(issued.claims['exp']) * 1000, issued.serverAhead));
      const answer = await session.delegate(dev, {
        parentGrantToken: issued.grantToken,
        subAgentId: sub.agentId,
        scopes: ['calendar:read'],
      });
      const note = await nothingUsable(session, dev, answer, 'delegating from an expired token');
      if (note) ctx.note(note);
    },
  },
  {
    id: 'tokens.after-expiry-code-refresh',
    area: 'tokens',
    clause:
      'SPEC §5.2 the authorization request expires at the expiresAt of its answer (RFC 6749 §4.1.2: a code expires shortly after it is issued); §5.3 the grant expires at its expiresAt; SPEC.md states neither as a MUST',
    level: 'SHOULD',
    title:
      'a code is not exchanged after its authorization request expired, and an expired grant is not renewed by refresh into a token that verifies',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.agent(dev);
      const started = Date.now();
      const held = await session.authorize(dev, {
        agentId: agent.agentId,
        principalId: session.principal('expiring-code'),
        scopes: ['files:read'],
        expiresIn: `${SHORT}s`,
      });
      expectStatus(held, 201, `POST /v1/authorize with expiresIn ${SHORT}s`);
      const { code } = await session.approve(dev, held);
      const requestExpiry = Date.parse(String((held.body as { expiresAt?: unknown }).expiresAt));
      const issued = await shortGrant(session, dev, agent, started);
      await sleep(untilServerPast(Number(issued.claims['exp']) * 1000, issued.serverAhead));
      const notes: string[] = [];
      await judgeEach(ctx, [
        {
          name: 'a code past its request’s expiresAt',
          run: async () => {
            // The request's lifetime is the one its answer declares; a run waits seconds, not the minutes a server may give.
            if (!Number.isFinite(requestExpiry)) throw new CheckSkipped('the authorize answer gives no expiresAt');
            const wait = untilServerPast(requestExpiry, issued.serverAhead);
            if (wait > MAX_WAIT_MS)
              throw new CheckSkipped(`the request expires in ${Math.round(wait / 1000)} s, longer than a run waits`);
            await sleep(wait);
            expectStatus(
              await session.exchange(dev, code, agent.agentId),
              400,
              'exchanging a code after the expiresAt of its authorization request',
            );
          },
        },
        {
          name: 'refresh of an expired grant',
          run: async () => {
            const answer = await session.refresh(dev, issued.refreshToken, agent.agentId);
            const note = await nothingUsable(session, dev, answer, 'refreshing an expired grant');
            if (note) notes.push(note);
          },
        },
      ]);
      for (const note of notes) ctx.note(note);
    },
  },
];
