/**
 * @module routes/passports
 * MPP Agent Passports (SPEC.md §15): issued from an active grant as a VC 2.0
 * whose proof is a VC-JWT by the token key, revocable through the status list.
 */
import type { Handlers } from '../context.js';
import {
  addCredential,
  allocateStatusIndex,
  issuerDid,
  setStatusBit,
  signVc,
  statusList,
} from '../domain/identity/credentials.js';
import { ulid } from '../domain/ids.js';
import { MAX_PASSPORT_HOURS, MPP_SCOPE_PREFIX, passports, type PassportRecord } from '../domain/identity/passports.js';
import { didOf, grantStatus, iso, parseDuration } from '../domain/rules.js';
import { badRequest, HttpError, notFound } from '../http/http-error.js';
import { SHARED_CAPS } from '../domain/limits.js';

const HOUR_S = 3600;

function effectiveStatus(p: PassportRecord, nowMs: number): 'active' | 'revoked' | 'expired' {
  if (p.status === 'revoked') return 'revoked';
  return p.expiresAt <= nowMs ? 'expired' : 'active';
}

function mine(env: Parameters<Handlers['passportsGet']>[0]['env'], developerId: string, id: string): PassportRecord {
  const p = passports(env.store).get(id);
  if (p === undefined || p.developerId !== developerId) throw notFound('Passport not found');
  return p;
}

export const passportHandlers = {
  passportsIssue: async ({ env, tenant, body }) => {
    const nowMs = env.now();
    const seconds = parseDuration(body.expiresIn ?? '24h');
    if (seconds === undefined) throw new HttpError(400, 'INVALID_EXPIRY', 'expiresIn must be like 24h');
    if (seconds > MAX_PASSPORT_HOURS * HOUR_S && !env.faults.has('passport-outlives-720h'))
      throw new HttpError(422, 'INVALID_EXPIRY', `expiresIn exceeds maximum of ${MAX_PASSPORT_HOURS} hours`);
    // Broken on purpose: the maximum itself is refused, not only what lies past it.
    if (seconds >= MAX_PASSPORT_HOURS * HOUR_S && env.faults.has('passport-refuses-720h'))
      throw new HttpError(422, 'INVALID_EXPIRY', `expiresIn must be under ${MAX_PASSPORT_HOURS} hours`);
    const agent = tenant.agents.get(body.agentId);
    if (agent === undefined || agent.status !== 'active')
      throw new HttpError(400, 'INVALID_AGENT', 'Agent not found or inactive');
    const grant = tenant.grants.get(body.grantId);
    if (grant === undefined || grant.agentId !== agent.id || grantStatus(grant, nowMs) !== 'active')
      throw new HttpError(400, 'INVALID_GRANT', 'Grant not found or not active');
    const missing = body.allowedMPPCategories.map((c) => MPP_SCOPE_PREFIX + c).filter((s) => !grant.scopes.includes(s));
    if (missing.length > 0)
      throw new HttpError(
        400,
        'SCOPE_INSUFFICIENT',
        `Grant does not include required MPP scopes: ${missing.join(', ')}`,
      );
    let parentPassportId: string | undefined;
    if (body.parentPassportId !== undefined) {
      const parent = passports(env.store).get(body.parentPassportId);
      if (parent === undefined || parent.developerId !== tenant.developer.id)
        throw badRequest('Parent passport not found');
      parentPassportId = parent.id;
    }
    const id = `urn:grantex:passport:${ulid(nowMs)}`;
    const issuer = issuerDid(env);
    if (passports(env.store).size >= SHARED_CAPS.passports)
      throw badRequest(`This local reference server keeps at most ${SHARED_CAPS.passports} passports`);
    const index = allocateStatusIndex(env);
    const list = statusList(env);
    const expiresAt = nowMs + seconds * 1000;
    const subject = {
      id: didOf(agent.id),
      type: 'AIAgent',
      humanPrincipal: `did:grantex:${grant.principalId}`,
      organizationDID: issuer,
      grantId: grant.id,
      allowedMPPCategories: [...body.allowedMPPCategories],
      maxTransactionAmount: { ...body.maxTransactionAmount },
      paymentRails: body.paymentRails ?? ['tempo'],
      delegationDepth: env.faults.has('passport-depth-zero') ? 0 : grant.delegationDepth,
      ...(parentPassportId === undefined ? {} : { parentPassportId }),
    };
    const status = {
      id: `${list.url}#${index}`,
      type: 'StatusList2021Entry' as const,
      statusPurpose: 'revocation',
      statusListIndex: String(index),
      statusListCredential: list.url,
    };
    const context = ['https://www.w3.org/ns/credentials/v2', 'https://grantex.dev/contexts/mpp/v1'];
    const type = ['VerifiableCredential', 'AgentPassportCredential'];
    const jwt = await signVc(env, {
      vc: { '@context': context, type, credentialSubject: subject, credentialStatus: status },
      iss: issuer,
      sub: subject.id,
      jti: id,
      iat: Math.floor(nowMs / 1000),
      exp: Math.floor(expiresAt / 1000),
    });
    const credential = {
      '@context': context,
      type,
      id,
      issuer,
      validFrom: iso(Math.floor(nowMs / 1000) * 1000),
      validUntil: iso(Math.floor(expiresAt / 1000) * 1000),
      credentialSubject: subject,
      credentialStatus: status,
      proof: {
        type: 'JsonWebSignature2020',
        created: iso(nowMs),
        verificationMethod: `${issuer}#${env.keys.kid}`,
        proofPurpose: 'assertionMethod',
        proofValue: jwt,
      },
    };
    const record: PassportRecord = {
      id,
      developerId: tenant.developer.id,
      agentId: agent.id,
      grantId: grant.id,
      credential,
      statusListIdx: index,
      status: 'active',
      expiresAt,
      createdAt: nowMs,
      revokedAt: null,
    };
    passports(env.store).set(id, record);
    addCredential(env, {
      id,
      developerId: tenant.developer.id,
      grantId: grant.id,
      principalId: grant.principalId,
      agentDid: subject.id,
      credentialType: 'AgentPassportCredential',
      format: 'agent-passport',
      credentialJwt: jwt,
      statusListIdx: index,
      issuedAt: nowMs,
      expiresAt,
      revokedAt: null,
    });
    const encodedCredential = Buffer.from(JSON.stringify(credential), 'utf8').toString('base64url');
    return { status: 201, body: { passportId: id, credential, encodedCredential, expiresAt: iso(expiresAt) } };
  },

  passportsList: ({ env, tenant, query }) => {
    const nowMs = env.now();
    const rows = [...passports(env.store).values()]
      .filter((p) => p.developerId === tenant.developer.id)
      .filter((p) => query.agentId === undefined || p.agentId === query.agentId)
      .filter((p) => query.grantId === undefined || p.grantId === query.grantId)
      .filter((p) => query.status === undefined || p.status === query.status)
      .sort((a, b) => b.createdAt - a.createdAt)
      .map((p) => ({
        passportId: p.id,
        agentId: p.agentId,
        grantId: p.grantId,
        status: effectiveStatus(p, nowMs),
        expiresAt: iso(p.expiresAt),
        createdAt: iso(p.createdAt),
      }));
    return { status: 200, body: rows };
  },

  passportsGet: ({ env, tenant, params }) => {
    const p = mine(env, tenant.developer.id, params.passportId);
    return { status: 200, body: { ...p.credential, status: effectiveStatus(p, env.now()) } };
  },

  passportsRevoke: ({ env, tenant, params }) => {
    const p = mine(env, tenant.developer.id, params.passportId);
    if (p.status !== 'revoked') {
      // The bit flips first, as on the public server; the fault leaves it clear.
      if (!env.faults.has('passport-revoke-noop')) setStatusBit(env, p.statusListIdx);
      p.status = 'revoked';
      p.revokedAt = env.now();
    }
    return { status: 200, body: { revoked: true, revokedAt: iso(p.revokedAt ?? env.now()) } };
  },
} satisfies Partial<Handlers>;
