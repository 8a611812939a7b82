/**
 * @module routes/webauthn
 * WebAuthn for principals: challenges and the credential list. This server
 * has no attestation or assertion verifier, so every verify call is refused
 * as a failed verification (400), never accepted.
 */
import type { Handlers } from '../context.js';
import { newId, randomToken } from '../domain/ids.js';
import { settingsOf, tables } from '../domain/identity/principal.js';
import { badRequest, notFound } from '../http/http-error.js';
import { forgetOldest, SHARED_CAPS } from '../domain/limits.js';

const CHALLENGE_MS = 5 * 60_000;

export const webauthnHandlers = {
  webauthnRegisterOptions: ({ env, tenant, body }) => {
    const nowMs = env.now();
    const id = newId('wac', nowMs);
    const challenge = randomToken(32);
    tables(env.store).challenges.set(id, {
      id,
      developerId: tenant.developer.id,
      principalId: body.principalId,
      kind: 'registration',
      challenge,
      expiresAt: nowMs + CHALLENGE_MS,
    });
    forgetOldest(tables(env.store).challenges, SHARED_CAPS.shortLived);
    const existing = [...tables(env.store).webauthn.values()].filter(
      (c) => c.developerId === tenant.developer.id && c.principalId === body.principalId,
    );
    return {
      status: 200,
      body: {
        challengeId: id,
        publicKey: {
          challenge,
          rp: {
            name: settingsOf(env.store, tenant.developer.id).fidoRpName ?? tenant.developer.name,
            id: new URL(env.settings.baseUrl).hostname,
          },
          user: { id: Buffer.from(body.principalId).toString('base64url'), name: body.principalId, displayName: '' },
          pubKeyCredParams: [
            { alg: -8, type: 'public-key' },
            { alg: -7, type: 'public-key' },
            { alg: -257, type: 'public-key' },
          ],
          timeout: 60_000,
          attestation: 'direct',
          excludeCredentials: existing.map((c) => ({ id: c.id, type: 'public-key' })),
        },
      },
    };
  },

  webauthnRegisterVerify: ({ env, tenant, body }) => {
    const challenge = tables(env.store).challenges.get(body.challengeId);
    if (challenge === undefined || challenge.developerId !== tenant.developer.id || challenge.expiresAt <= env.now())
      throw badRequest('Invalid or expired challenge');
    tables(env.store).challenges.delete(body.challengeId);
    throw badRequest('Registration verification failed');
  },

  webauthnListCredentials: ({ env, tenant, query }) => ({
    status: 200,
    body: {
      credentials: [...tables(env.store).webauthn.values()]
        .filter((c) => c.developerId === tenant.developer.id && c.principalId === query.principalId)
        .map((c) => ({
          id: c.id,
          principalId: c.principalId,
          deviceName: c.deviceName,
          backedUp: false,
          transports: [],
          createdAt: new Date(c.createdAt).toISOString(),
          lastUsedAt: null,
        })),
    },
  }),

  webauthnDeleteCredential: ({ env, tenant, params }) => {
    const c = tables(env.store).webauthn.get(params.credentialId);
    if (c === undefined || c.developerId !== tenant.developer.id) throw notFound('Credential not found');
    tables(env.store).webauthn.delete(c.id);
    return { status: 204 };
  },

  webauthnAssertOptions: ({ env, body }) => {
    const owner = env.store.tenantOfAuthRequest(body.authRequestId);
    const request = owner?.authRequests.get(body.authRequestId);
    if (owner === undefined || request === undefined || request.status !== 'pending' || request.expiresAt <= env.now())
      throw notFound('Auth request not found or expired');
    if (!settingsOf(env.store, owner.developer.id).fidoRequired)
      throw badRequest('FIDO not required for this developer');
    throw badRequest('No FIDO credentials registered for this principal');
  },

  webauthnAssertVerify: ({ env, body }) => {
    const challenge = tables(env.store).challenges.get(body.challengeId);
    if (challenge === undefined || challenge.kind !== 'assertion' || challenge.expiresAt <= env.now())
      throw badRequest('Invalid or expired challenge');
    throw badRequest('Assertion verification failed');
  },
} satisfies Partial<Handlers>;
