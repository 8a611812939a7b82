/**
 * @module routes/credentials
 * Verifiable credentials: the developer's records, online VC-JWT and SD-JWT
 * verification (public), and the StatusList2021 list (public, unsigned like
 * the public server's).
 */
import { decodeJwt, jwtVerify } from 'jose';
import type { Handlers, ServerEnv } from '../context.js';
import {
  credential,
  credentialsOf,
  encodedList,
  issuerDid,
  statusBit,
  statusList,
  type CredentialRecord,
} from '../domain/identity/credentials.js';
import { iso } from '../domain/rules.js';
import { notFound } from '../http/http-error.js';

function present(record: CredentialRecord, env: ServerEnv) {
  const revoked = statusBit(env, record.statusListIdx);
  return {
    id: record.id,
    grantId: record.grantId,
    developerId: record.developerId,
    principalId: record.principalId,
    agentDid: record.agentDid,
    credentialType: record.credentialType,
    format: record.format,
    credentialJwt: record.credentialJwt,
    status: revoked ? 'revoked' : record.expiresAt <= env.now() ? 'expired' : 'active',
    statusListIdx: record.statusListIdx,
    issuedAt: iso(record.issuedAt),
    expiresAt: iso(record.expiresAt),
    revokedAt: record.revokedAt === null ? null : iso(record.revokedAt),
  };
}

/** Verifies a VC-JWT of this server: signature, issuer, expiry, then its status bit. */
async function verifyVc(env: ServerEnv, jwt: string) {
  let jti: string | undefined;
  try {
    jti = decodeJwt(jwt).jti;
  } catch {
    return { valid: false, error: 'Invalid JWT format' };
  }
  try {
    const { payload } = await jwtVerify(jwt, env.keys.publicKey, {
      algorithms: ['RS256'],
      issuer: issuerDid(env),
      currentDate: new Date(env.now()),
    });
    const record = jti === undefined ? undefined : credential(env, jti);
    if (record !== undefined && statusBit(env, record.statusListIdx))
      return { valid: false, vcId: record.id, revoked: true, error: 'Credential has been revoked', payload };
    return { valid: true, ...(jti === undefined ? {} : { vcId: jti }), payload };
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'invalid';
    return {
      valid: false,
      ...(jti === undefined ? {} : { vcId: jti }),
      error: reason === 'ERR_JWT_EXPIRED' ? 'Credential has expired' : 'signature verification failed',
    };
  }
}

export const credentialHandlers = {
  credentialsList: ({ env, tenant, query }) => {
    const rows = credentialsOf(env, tenant.developer.id)
      .filter((r) => query.grantId === undefined || r.grantId === query.grantId)
      .filter((r) => query.principalId === undefined || r.principalId === query.principalId)
      .map((r) => present(r, env))
      .filter((r) => query.status === undefined || r.status === query.status)
      .sort((a, b) => b.issuedAt.localeCompare(a.issuedAt))
      .slice(0, 100);
    return { status: 200, body: { credentials: rows } };
  },

  credentialsGet: ({ env, tenant, params }) => {
    const record = credential(env, params.credentialId);
    if (record === undefined || record.developerId !== tenant.developer.id) throw notFound('Credential not found');
    return { status: 200, body: present(record, env) };
  },

  credentialsVerify: async ({ env, body }) => ({ status: 200, body: await verifyVc(env, body.credential) }),

  credentialsStatus: ({ env, params }) => {
    const list = statusList(env);
    if (params.listId !== list.listId) throw notFound('Status list not found');
    return {
      status: 200,
      body: {
        '@context': ['https://www.w3.org/ns/credentials/v2', 'https://w3id.org/vc/status-list/2021/v1'],
        id: list.url,
        type: ['VerifiableCredential', 'StatusList2021Credential'],
        issuer: issuerDid(env),
        issued: iso(env.now()),
        credentialSubject: {
          id: `${list.url}#list`,
          type: 'StatusList2021' as const,
          statusPurpose: 'revocation',
          encodedList: encodedList(env),
        },
      },
    };
  },

  // This server issues no SD-JWT credentials: a presentation verifies only if its issuer JWT is one of ours.
  credentialsPresent: async ({ env, body }) => {
    const [jws = '', ...rest] = body.sdJwt.split('~');
    const keyBinding = rest.at(-1);
    if (body.nonce !== undefined && (keyBinding === undefined || keyBinding === ''))
      return { status: 200, body: { valid: false, error: 'Key-binding JWT required' } };
    const verdict = await verifyVc(env, jws);
    if (!verdict.valid) return { status: 200, body: { valid: false, error: verdict.error ?? 'invalid' } };
    const vc = (verdict.payload?.['vc'] ?? {}) as { credentialSubject?: Record<string, unknown> };
    return {
      status: 200,
      body: {
        valid: true,
        ...(verdict.vcId ? { vcId: verdict.vcId } : {}),
        disclosedClaims: vc.credentialSubject ?? {},
      },
    };
  },
} satisfies Partial<Handlers>;
