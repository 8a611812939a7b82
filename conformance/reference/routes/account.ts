/**
 * @module routes/account
 * The calling developer's account, its FIDO settings, API key rotation and
 * email verification (no mail is sent: the token only exists in memory).
 */
import type { Handlers } from '../context.js';
import { randomToken } from '../domain/ids.js';
import { settingsOf, tables } from '../domain/identity/principal.js';
import { iso } from '../domain/rules.js';
import { HttpError, notFound } from '../http/http-error.js';
import { forgetOldest, SHARED_CAPS } from '../domain/limits.js';

const DAY_MS = 86_400_000;

export const accountHandlers = {
  accountGet: ({ env, tenant }) => {
    const d = tenant.developer;
    const s = settingsOf(env.store, d.id);
    return {
      status: 200,
      body: {
        developerId: d.id,
        name: d.name,
        email: d.email,
        mode: d.mode,
        plan: tenant.subscription.plan,
        fidoRequired: s.fidoRequired,
        fidoRpName: s.fidoRpName,
        createdAt: d.createdAt,
      },
    };
  },

  accountUpdate: ({ env, tenant, body }) => {
    const s = settingsOf(env.store, tenant.developer.id);
    if (body.fidoRequired !== undefined) s.fidoRequired = body.fidoRequired;
    if (body.fidoRpName !== undefined) s.fidoRpName = body.fidoRpName;
    return { status: 200, body: { updated: true as const } };
  },

  accountRotateKey: ({ env, tenant }) => {
    const apiKey = `gx_${tenant.developer.mode === 'sandbox' ? 'test' : 'live'}_${randomToken(32)}`;
    env.store.rotateApiKey(tenant.developer.id, apiKey);
    return { status: 200, body: { apiKey, rotatedAt: iso(env.now()) } };
  },

  accountRequestEmailVerification: ({ env, tenant, body }) => {
    const expiresAt = env.now() + DAY_MS;
    tables(env.store).emailTokens.set(crypto.randomUUID(), {
      developerId: tenant.developer.id,
      email: body.email.trim().toLowerCase(),
      expiresAt,
      verified: false,
    });
    forgetOldest(tables(env.store).emailTokens, SHARED_CAPS.shortLived);
    return { status: 201, body: { message: 'Verification email sent', expiresAt: iso(expiresAt) } };
  },

  accountConfirmEmail: ({ env, params }) => {
    const v = tables(env.store).emailTokens.get(params.token);
    if (v === undefined) throw notFound('Invalid verification token');
    if (v.verified) return { status: 200, body: { message: 'Email already verified' } };
    if (v.expiresAt < env.now()) throw new HttpError(400, 'TOKEN_EXPIRED', 'Verification token expired');
    v.verified = true;
    return { status: 200, body: { message: 'Email verified successfully', email: v.email } };
  },
} satisfies Partial<Handlers>;
