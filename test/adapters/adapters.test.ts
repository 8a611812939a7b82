/**
 * Every HTTP adapter, on its real framework on 127.0.0.1, serves the valid
 * token and refuses the relying-party kit's whole bad-token corpus with RFC
 * 6750 answers; refusals never carry the token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goodHeader, goodPayload, type RpProfile } from '../../conformance/rp/corpus.js';
import { startTestIssuer, type TestIssuer } from '../../conformance/rp/issuer.js';
import { runRp } from '../../conformance/rp/runner.js';
import type { GrantDenial, RequireGrantOptions } from '../../src/adapters/require-grant.js';
import { FRAMEWORKS, type RunningApp, startApp } from './servers.js';

const AUDIENCE = 'https://calendar.api.test';
const SCOPES = ['calendar:read'];
let issuer: TestIssuer;

beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(() => issuer.close());

function options(denials: GrantDenial[]): RequireGrantOptions {
  return {
    jwksUri: issuer.jwksUri,
    issuer: issuer.issuer,
    audience: AUDIENCE,
    scopes: SCOPES,
    // Revocation state never synced: high-stakes scopes are checked online at the kit's issuer.
    online: { online: { baseUrl: issuer.issuer, apiKey: 'gx_test_rp' } },
    onDenied: (denial) => denials.push(denial),
  };
}

const profile = (): RpProfile => ({
  scopes: SCOPES,
  audience: AUDIENCE,
  maxDelegationDepth: 10,
  online: true,
  now: Math.floor(Date.now() / 1000),
});

describe.each(FRAMEWORKS)('grantex/%s', (framework) => {
  let app: RunningApp;
  const denials: GrantDenial[] = [];
  beforeAll(async () => {
    app = await startApp(framework, options(denials));
  });
  afterAll(() => app.close());

  it('passes every case of the relying-party kit', async () => {
    const checksBefore = issuer.onlineChecks;
    const report = await runRp({ target: app.url, scopes: SCOPES, audience: AUDIENCE, online: true, issuer });
    expect(report.fatal).toBeUndefined();
    // The revoked case was refused by the online check, not by chance.
    expect(issuer.onlineChecks).toBeGreaterThan(checksBefore);
    const verdicts = Object.fromEntries(report.results.map((r) => [r.id, r.status]));
    expect(
      Object.values(verdicts).every((status) => status === 'pass'),
      JSON.stringify(verdicts),
    ).toBe(true);
    expect(report.results).toHaveLength(19);
    expect(report.exitCode).toBe(0);
  }, 30_000);

  it('serves the valid token with the grant attached', async () => {
    const token = issuer.signGood(goodHeader(issuer), goodPayload(issuer, profile()));
    const response = await fetch(app.url, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ principal: 'user_rpkit', scopes: SCOPES });
  });

  it('answers 401 invalid_token and 403 insufficient_scope with the scope, never echoing the token', async () => {
    const expired = issuer.signGood(
      goodHeader(issuer),
      goodPayload(issuer, profile(), { exp: Math.floor(Date.now() / 1000) - 60 }),
    );
    const first = await fetch(app.url, { headers: { authorization: `Bearer ${expired}` } });
    expect(first.status).toBe(401);
    expect(first.headers.get('www-authenticate')).toMatch(/^Bearer realm="grantex", error="invalid_token"/);
    const firstBody = await first.text();
    expect(JSON.parse(firstBody)).toEqual({ error: 'invalid_token', error_description: 'the token has expired' });

    const unscoped = issuer.signGood(goodHeader(issuer), goodPayload(issuer, profile(), { scp: ['email:read'] }));
    const second = await fetch(app.url, { headers: { authorization: `Bearer ${unscoped}` } });
    expect(second.status).toBe(403);
    expect(second.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(second.headers.get('www-authenticate')).toContain('scope="calendar:read"');
    const secondBody = await second.text();

    const none = await fetch(app.url);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="grantex"');
    const bad = await fetch(app.url, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('www-authenticate')).toContain('error="invalid_request"');

    const seen = JSON.stringify(denials) + firstBody + secondBody;
    for (const token of [expired, unscoped]) {
      expect(seen).not.toContain(token);
      expect(seen).not.toContain(token.split('.')[2]);
    }
    expect(denials.map((d) => d.code)).toEqual(
      expect.arrayContaining(['expired', 'insufficient_scope', 'missing_token']),
    );
  });
});
