/**
 * The framework-free core of requireGrant: option checks, the header grammar
 * of RFC 6750 §2.1, fail-closed answers when keys are unavailable, and a
 * failing onDenied hook that changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { createGrantChecker } from '../../src/adapters/require-grant.js';
import { GrantexTokenError } from '../../src/index.js';
import { at, claims, NOW, rsaKey, signRs256 } from '../integrity/support/tokens.js';

const key = rsaKey('k1');
const jwks = { keys: [key.jwk] };
const token = signRs256(key.privateKey, { alg: 'RS256', kid: 'k1' }, claims({ scp: ['calendar:read'] }));
const now = () => at(NOW);

describe('createGrantChecker', () => {
  it('refuses bad options at once', () => {
    expect(() => createGrantChecker({ jwks, scopes: ['has space'] })).toThrow(GrantexTokenError);
    expect(() => createGrantChecker({ jwks, realm: 'a"b' })).toThrow(GrantexTokenError);
    expect(() => createGrantChecker({ jwks, online: { maxRevocationAge: 600_000 } })).toThrow(GrantexTokenError);
  });

  it('accepts the Bearer scheme case-insensitively and nothing else', async () => {
    const check = createGrantChecker({ jwks, scopes: ['calendar:read'], now });
    expect((await check(`Bearer ${token}`)).ok).toBe(true);
    expect((await check(`bearer ${token}`)).ok).toBe(true);
    for (const header of [`Bearer  ${token} x`, `Token ${token}`, 'Bearer', `Bearer ${token},${token}`]) {
      const result = await check(header);
      expect(result.ok ? 200 : result.denial.status, header.slice(0, 12)).toBe(400);
    }
  });

  it('answers 503 without an error code when the key set cannot be fetched, never 200', async () => {
    const check = createGrantChecker({
      jwksUri: 'http://127.0.0.1:9/.well-known/jwks.json',
      timeoutDuration: 500,
      now,
    });
    const result = await check(`Bearer ${token}`);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.denial).toMatchObject({ status: 503, error: 'temporarily_unavailable', code: 'jwks_unavailable' });
      expect(result.denial.wwwAuthenticate).toBe('Bearer realm="grantex"');
    }
  });

  it('keeps its decision when onDenied throws, and the denial never holds the token', async () => {
    const seen: unknown[] = [];
    const check = createGrantChecker({
      jwks,
      scopes: ['email:read'],
      now,
      onDenied: (denial) => {
        seen.push(denial);
        throw new Error('logger down');
      },
    });
    const result = await check(`Bearer ${token}`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.denial).toMatchObject({ status: 403, scope: ['email:read'] });
    expect(JSON.stringify(seen)).not.toContain(token.split('.')[2]!);
  });
});
