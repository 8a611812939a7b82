/**
 * Test-only: a hand-rolled grant-token verifier behind node:http, with one
 * switchable flaw per kind of mistake real verifiers make. Flawless, it must
 * pass the relying-party kit; with one flaw, the kit must catch it.
 */
import { createHmac, createPublicKey, verify } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestIssuer } from '../../conformance/rp/issuer.js';

export type Flaw =
  | 'accepts-alg-none'
  | 'accepts-hs256'
  | 'unknown-kid-fails-open'
  | 'skips-signature'
  | 'short-signature-skips-check'
  | 'ignores-exp'
  | 'ignores-nbf'
  | 'ignores-iat'
  | 'ignores-aud'
  | 'ignores-iss'
  | 'ignores-scope'
  | 'accepts-any-exponent'
  | 'accepts-short-modulus'
  | 'ignores-delegation-depth'
  | 'skips-revocation'
  | 'serves-without-token';

export interface VerifierConfig {
  issuer: TestIssuer;
  audience: string;
  scopes: readonly string[];
  flaw?: Flaw;
}

const json = (segment: string) => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));

/** Returns the refusal status, or 200. */
async function check(authorization: string | undefined, config: VerifierConfig): Promise<number> {
  const { issuer, flaw } = config;
  if (authorization === undefined) return flaw === 'serves-without-token' ? 200 : 401;
  const token = /^Bearer (\S+)$/.exec(authorization)?.[1];
  if (token === undefined) return 400;
  const parts = token.split('.');
  if (parts.length !== 3) return 401;
  const [h, p, s] = parts as [string, string, string];
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = json(h);
    claims = json(p);
  } catch {
    return 401;
  }
  const jwk = issuer.jwks.keys.find((key) => key.kid === header.kid);
  const signature = Buffer.from(s, 'base64url');
  const input = Buffer.from(`${h}.${p}`);
  let signed = false;
  if (header.alg === 'none') signed = flaw === 'accepts-alg-none';
  else if (header.alg === 'HS256') {
    if (flaw === 'accepts-hs256' && jwk) {
      const pem = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' }).export({
        format: 'pem',
        type: 'spki',
      });
      signed = createHmac('sha256', pem).update(input).digest().equals(signature);
    }
  } else if (header.alg === 'RS256') {
    if (jwk === undefined) signed = flaw === 'unknown-kid-fails-open';
    else if (flaw === 'skips-signature') signed = true;
    else {
      const key = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' });
      const bits = Buffer.from(jwk.n, 'base64url').length * 8;
      const e = Buffer.from(jwk.e, 'base64url').readUIntBE(0, Buffer.from(jwk.e, 'base64url').length);
      const exponentOk = flaw === 'accepts-any-exponent' || (e >= 3 && e % 2 === 1);
      const modulusOk = flaw === 'accepts-short-modulus' || bits >= 2048;
      if (flaw === 'short-signature-skips-check' && signature.length < bits / 8) signed = true;
      else signed = exponentOk && modulusOk && verify('sha256', input, key, signature);
    }
  }
  if (!signed) return 401;
  const now = Math.floor(Date.now() / 1000);
  if (flaw !== 'ignores-iss' && claims.iss !== issuer.issuer) return 401;
  if (flaw !== 'ignores-exp' && !(typeof claims.exp === 'number' && claims.exp > now)) return 401;
  if (flaw !== 'ignores-nbf' && typeof claims.nbf === 'number' && claims.nbf > now + 5) return 401;
  if (flaw !== 'ignores-iat' && typeof claims.iat === 'number' && claims.iat > now + 5) return 401;
  if (flaw !== 'ignores-aud' && claims.aud !== config.audience) return 401;
  if (flaw !== 'ignores-delegation-depth' && typeof claims.delegationDepth === 'number' && claims.delegationDepth > 10)
    return 401;
  const scp = Array.isArray(claims.scp) ? claims.scp : [];
  if (flaw !== 'ignores-scope' && !config.scopes.every((scope) => scp.includes(scope))) return 403;
  if (flaw !== 'skips-revocation' && scp.includes('payments:initiate')) {
    const answer = await fetch(`${issuer.issuer}/v1/tokens/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer gx_test_rp' },
      body: JSON.stringify({ token }),
    });
    if ((await answer.json()).valid !== true) return 401;
  }
  return 200;
}

export async function startBrokenVerifier(config: VerifierConfig): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    check(request.headers.authorization, config).then(
      (status) => {
        const error = status === 403 ? 'insufficient_scope' : status === 400 ? 'invalid_request' : 'invalid_token';
        response.writeHead(
          status,
          status === 200
            ? { 'content-type': 'application/json' }
            : { 'www-authenticate': `Bearer error="${error}"`, 'content-type': 'application/json' },
        );
        response.end(status === 200 ? '{"ok":true}' : `{"error":"${error}"}`);
      },
      () => {
        response.writeHead(500);
        response.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/resource`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
