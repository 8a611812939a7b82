/**
 * @module routes/system
 * Health, the JSON Web Key Set, and self-service signup.
 */
import type { Handlers } from '../context.js';
import { conflict } from '../http/http-error.js';
import { newId, randomToken } from '../domain/ids.js';

export const systemHandlers = {
  health: () => ({ status: 200, body: { status: 'healthy' } }),

  jwks: ({ env }) => {
    if (!env.faults.has('jwks-private-key')) return { status: 200, body: env.keys.jwks };
    // The fault: a private-key member next to the public ones (its value does not matter to a reader).
    const keys = env.keys.jwks.keys.map((key, index) => (index === 0 ? { ...key, d: 'cHJpdmF0ZS1leHBvbmVudA' } : key));
    return { status: 200, body: { keys } };
  },

  signup: ({ env, body }) => {
    const nowMs = env.now();
    const email = body.email ?? null;
    if (email !== null && env.store.emailTaken(email)) throw conflict('A developer with this email already exists');
    const mode = body.mode ?? 'live';
    const developer = {
      id: newId('dev', nowMs),
      apiKey: `gx_${mode === 'sandbox' ? 'test' : 'live'}_${randomToken(32)}`,
      name: env.variants.name(body.name),
      email,
      mode,
      createdAt: new Date(nowMs).toISOString(),
    };
    env.store.addDeveloper(developer);
    return {
      status: 201,
      body: {
        developerId: developer.id,
        apiKey: developer.apiKey,
        name: developer.name,
        email: developer.email,
        mode: developer.mode,
        createdAt: developer.createdAt,
      },
    };
  },
} satisfies Partial<Handlers>;
