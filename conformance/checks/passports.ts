/**
 * @module checks/passports
 * SPEC §15 MPP Agent Passports: an issued passport verifies by the §15.3
 * algorithm (with the package's own `verifyPassport`, keys from the server's
 * DID document, revocation from its status list), carries its grant's
 * delegation depth, is refused once revoked, and cannot outlive 720 hours
 * (exactly 720 hours, the maximum, is issued).
 */
import { CheckFailure, CheckSkipped, expectThat, show, type Check } from '../engine/check.js';
import type { CheckContext } from '../engine/context.js';
import { GrantexTokenError, verifyPassport, type DidDocument, type VerifiedPassport } from '../engine/integrity.js';
import { expectStatus } from '../engine/session/expect.js';
import type { Session } from '../engine/session/session.js';
import type { Developer, Issued } from '../engine/session/types.js';

const MPP_SCOPES = ['calendar:read', 'payments:mpp:inference'];
const HOUR_MS = 3_600_000;

const grants = new WeakMap<Session, Promise<Issued>>();

/** One grant with an MPP scope per run, for the checks that only issue passports from it. */
function mppGrant(session: Session): Promise<Issued> {
  let grant = grants.get(session);
  if (grant === undefined) {
    grant = session
      .createAgent(session.devA, 'passport', MPP_SCOPES)
      .then((agent) => session.issue(session.devA, { agent, scopes: MPP_SCOPES }));
    grants.set(session, grant);
  }
  return grant;
}

interface IssuedPassport {
  passportId: string;
  encodedCredential: string;
  credential: { issuer: string; validFrom: string; validUntil: string; credentialSubject: { delegationDepth: number } };
}

async function issuePassport(session: Session, dev: Developer, grant: Issued, expiresIn = '1h') {
  const exchange = await session.request(dev, {
    method: 'POST',
    path: '/v1/passport/issue',
    json: {
      agentId: grant.agent.agentId,
      grantId: grant.grantId,
      allowedMPPCategories: ['inference'],
      maxTransactionAmount: { amount: 25, currency: 'USDC' },
      expiresIn,
    },
  });
  if (exchange.status === 201) {
    const id = (exchange.body as IssuedPassport).passportId;
    session.track(`passport ${id}`, () =>
      session.request(dev, { method: 'POST', path: `/v1/passport/${encodeURIComponent(id)}/revoke` }),
    );
  }
  return exchange;
}

/** Verifies by SPEC §15.3 with the server's own DID document as the issuer's (nothing leaves the server's origin). */
async function verify(ctx: CheckContext, passport: IssuedPassport): Promise<VerifiedPassport> {
  const did = await ctx.session.http.request({ method: 'GET', path: '/.well-known/did.json', auth: null });
  expectStatus(did, 200, 'GET /.well-known/did.json');
  const document = did.body as DidDocument;
  const issuer = passport.credential.issuer;
  if (document.id !== issuer)
    throw new CheckSkipped(
      `the passport issuer ${show(issuer)} is not the server's DID ${show(document.id)}: not resolved`,
    );
  return verifyPassport(passport.encodedCredential, {
    trustedIssuers: [issuer],
    didDocuments: { [issuer]: document },
    statusList: { allowedOrigins: [new URL(ctx.session.http.baseUrl).origin] },
    category: 'inference',
    amount: { amount: 25, currency: 'USDC' },
    clockTolerance: 60,
  });
}

function refusal(error: unknown): string {
  if (error instanceof GrantexTokenError) return `${error.code}: ${error.message}`;
  throw error;
}

export const passportChecks: Check[] = [
  {
    id: 'passports.verifies',
    area: 'passports',
    clause: 'SPEC §15.3 merchant verification algorithm (steps 1–8)',
    level: 'MUST',
    title: 'an issued passport verifies offline: VC 2.0 structure, issuer keys, signature, status bit clear, limits',
    extension: 'passports',
    async run(ctx) {
      const grant = await mppGrant(ctx.session);
      const issued = await issuePassport(ctx.session, ctx.session.devA, grant);
      expectStatus(issued, 201, 'POST /v1/passport/issue');
      const passport = issued.body as IssuedPassport;
      let verified: VerifiedPassport;
      try {
        verified = await verify(ctx, passport);
      } catch (error) {
        if (error instanceof CheckSkipped) throw error;
        throw new CheckFailure('the passport does not verify by SPEC §15.3', 'a verified passport', refusal(error));
      }
      expectThat(
        verified.grantId === grant.grantId && verified.agentDid === `did:grantex:${grant.agent.agentId}`,
        'the passport names another grant or agent',
        show({ grantId: grant.grantId, agent: grant.agent.agentId }),
        show({ grantId: verified.grantId, agentDid: verified.agentDid }),
      );
    },
  },
  {
    id: 'passports.delegation-depth',
    area: 'passports',
    clause: 'SPEC §15.1 "delegationDepth — Inherited from the grant\'s delegation chain (§9)"',
    level: 'MUST',
    title: 'a passport issued from a delegated grant carries that grant’s delegation depth',
    extension: 'passports',
    async run(ctx) {
      const { session } = ctx;
      const grant = await mppGrant(session);
      const sub = await session.createAgent(session.devA, 'passport sub-agent', MPP_SCOPES);
      const delegated = await session.delegate(session.devA, {
        parentGrantToken: grant.grantToken,
        subAgentId: sub.agentId,
        scopes: MPP_SCOPES,
      });
      expectStatus(delegated, 201, 'POST /v1/grants/delegate');
      const child = delegated.body as { grantId: string };
      const issued = await session.request(session.devA, {
        method: 'POST',
        path: '/v1/passport/issue',
        json: {
          agentId: sub.agentId,
          grantId: child.grantId,
          allowedMPPCategories: ['inference'],
          maxTransactionAmount: { amount: 5, currency: 'USDC' },
          expiresIn: '1h',
        },
      });
      expectStatus(issued, 201, 'POST /v1/passport/issue from the delegated grant');
      const depth = (issued.body as IssuedPassport).credential.credentialSubject.delegationDepth;
      expectThat(
        depth === 1,
        'the passport does not carry the delegated grant’s depth',
        'delegationDepth 1',
        show(depth),
      );
    },
  },
  {
    id: 'passports.revoked',
    area: 'passports',
    clause: 'SPEC §15.1 "Revoking a passport flips the corresponding bit" (StatusList2021)',
    level: 'MUST',
    title: 'after POST /v1/passport/{id}/revoke the status bit is set and §15.3 verification refuses the passport',
    extension: 'passports',
    async run(ctx) {
      const grant = await mppGrant(ctx.session);
      const issued = await issuePassport(ctx.session, ctx.session.devA, grant);
      expectStatus(issued, 201, 'POST /v1/passport/issue');
      const passport = issued.body as IssuedPassport;
      const revoked = await ctx.session.request(ctx.session.devA, {
        method: 'POST',
        path: `/v1/passport/${encodeURIComponent(passport.passportId)}/revoke`,
      });
      expectStatus(revoked, 200, 'POST /v1/passport/{id}/revoke');
      let outcome: string;
      try {
        await verify(ctx, passport);
        outcome = 'verified';
      } catch (error) {
        if (error instanceof CheckSkipped) throw error;
        outcome = refusal(error);
      }
      expectThat(outcome.startsWith('revoked'), 'the revoked passport still verifies', 'refused as revoked', outcome);
    },
  },
  {
    id: 'passports.max-expiry',
    area: 'passports',
    clause: 'SPEC §15.1 "Maximum expiry: 720 hours (30 days)"',
    level: 'MUST',
    title: 'a passport asked for 721 hours is refused, or issued for 720 hours at most',
    extension: 'passports',
    async run(ctx) {
      const grant = await mppGrant(ctx.session);
      const issued = await issuePassport(ctx.session, ctx.session.devA, grant, '721h');
      if (issued.status >= 400 && issued.status < 500) return;
      expectStatus(issued, 201, 'POST /v1/passport/issue with expiresIn 721h');
      const c = (issued.body as IssuedPassport).credential;
      const lifetime = Date.parse(c.validUntil) - Date.parse(c.validFrom);
      expectThat(
        lifetime <= 720 * HOUR_MS,
        'the passport outlives 720 hours',
        'validUntil − validFrom ≤ 720 h (or a 4xx refusal)',
        `${(lifetime / HOUR_MS).toFixed(1)} h`,
      );
    },
  },
  {
    id: 'passports.expiry-at-limit',
    area: 'passports',
    clause:
      'SPEC §15.1 "Maximum expiry: 720 hours (30 days)": the maximum itself is allowed (refusing it breaks no sentence, hence SHOULD)',
    level: 'SHOULD',
    title: 'a passport asked for exactly 720 hours, the maximum, is issued, for 720 hours at most',
    extension: 'passports',
    async run(ctx) {
      const grant = await mppGrant(ctx.session);
      const issued = await issuePassport(ctx.session, ctx.session.devA, grant, '720h');
      expectStatus(issued, 201, 'POST /v1/passport/issue with expiresIn 720h, the maximum');
      const c = (issued.body as IssuedPassport).credential;
      const lifetime = Date.parse(c.validUntil) - Date.parse(c.validFrom);
      expectThat(
        lifetime <= 720 * HOUR_MS,
        'the passport asked for 720 hours outlives them',
        'validUntil − validFrom ≤ 720 h',
        `${(lifetime / HOUR_MS).toFixed(1)} h`,
      );
      ctx.note(`issued for ${(lifetime / HOUR_MS).toFixed(1)} h`);
    },
  },
];
