/**
 * The attack corpus: hostile or broken grant tokens, each with the error code
 * verification must fail with (or 'ok' for controls). Shared by the corpus
 * test and the differential test of the two signature backends.
 */
import { sign } from 'node:crypto';
import type { GrantexTokenErrorCode } from '../../../src/integrity/verify/errors.js';
import type { VerifyGrantTokenOptions } from '../../../src/integrity/verify/grant-token.js';
import type { Jwks } from '../../../src/integrity/verify/jwks.js';
import {
  NOW,
  b64,
  b64json,
  claims,
  ed25519Key,
  rsaKey,
  signEdDsa,
  signHs256,
  signRs256,
  type TestKey,
} from './tokens.js';

export interface CorpusCase {
  name: string;
  token: unknown;
  expect: GrantexTokenErrorCode | 'ok';
  /** Claim options for this case, on top of `{ jwks, currentDate: at(NOW) }`. */
  options?: Partial<VerifyGrantTokenOptions>;
}

export interface Fixture {
  signer: TestKey;
  attacker: TestKey;
  ed: TestKey;
  jwks: Jwks;
  /** A valid token signed by `signer`. */
  valid: string;
}

export function createFixture(): Fixture {
  const signer = rsaKey('test-rsa-1');
  const attacker = rsaKey('attacker');
  const weak = rsaKey('weak', 1024);
  const twin = rsaKey('dup');
  const ed = ed25519Key('test-ed');
  const jwks: Jwks = {
    keys: [
      signer.jwk,
      ed.jwk,
      weak.jwk,
      { ...signer.jwk, kid: 'dup' },
      twin.jwk,
      { ...signer.jwk, kid: 'rs512', alg: 'RS512' },
      { ...signer.jwk, kid: 'enc', use: 'enc' },
      { ...signer.jwk, kid: 'no-verify', key_ops: ['encrypt'] },
      { ...signer.jwk, kid: 'same-twice' },
      { ...signer.jwk, kid: 'same-twice' },
    ],
  };
  const valid = signRs256(signer.privateKey, { alg: 'RS256', kid: signer.kid }, claims());
  return { signer, attacker, ed, jwks, valid };
}

export function buildCorpus(f: Fixture): CorpusCase[] {
  const rs = (header: Record<string, unknown>, payload: unknown, key = f.signer): string =>
    signRs256(key.privateKey, { alg: 'RS256', kid: key.kid, ...header }, payload);
  const ok = (header: Record<string, unknown>, payload: unknown = claims()): string => rs(header, payload);
  const [h, p, s] = f.valid.split('.') as [string, string, string];
  const publicPem = f.signer.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const cases: CorpusCase[] = [
    { name: 'control: valid token', token: f.valid, expect: 'ok' },
    { name: 'control: same key under a second identical JWK', token: ok({ kid: 'same-twice' }), expect: 'ok' },
    { name: 'control: iat in the future within tolerance', token: ok({}, claims({ iat: NOW + 4 })), expect: 'ok' },
    {
      name: 'control: jku/x5u/jwk/x5c headers are ignored',
      token: ok({ jku: 'http://127.0.0.1:9/jwks', x5u: 'http://127.0.0.1:9/x5u', jwk: f.attacker.jwk, x5c: ['AAAA'] }),
      expect: 'ok',
    },
    { name: 'control: typ header is ignored', token: ok({ typ: 'JWT' }), expect: 'ok' },
    {
      name: 'control: delegated claims',
      token: ok({}, claims({ parentAgt: 'did:grantex:ag_P', parentGrnt: 'grnt_P', delegationDepth: 2 })),
      expect: 'ok',
    },
    {
      name: 'control: aud array',
      token: ok({}, claims({ aud: ['a', 'https://api.example.test'] })),
      expect: 'ok',
      options: { audience: 'https://api.example.test' },
    },
  ];

  for (const alg of ['none', 'None', 'NONE', 'nOnE', 'nonE']) {
    cases.push({
      name: `alg ${alg}, empty signature`,
      token: `${b64json({ alg, kid: f.signer.kid })}.${p}.`,
      expect: 'unsupported_alg',
    });
    cases.push({
      name: `alg ${alg}, with a signature`,
      token: `${b64json({ alg, kid: f.signer.kid })}.${p}.${s}`,
      expect: 'unsupported_alg',
    });
  }
  for (const secret of [publicPem, JSON.stringify(f.signer.jwk), f.signer.jwk.n as string]) {
    cases.push({
      name: `HS256 keyed with the RSA public key (${secret.slice(0, 10)}…)`,
      token: signHs256(secret, { alg: 'HS256', kid: f.signer.kid }, claims()),
      expect: 'unsupported_alg',
    });
  }
  cases.push(
    {
      name: 'HS512 with the public key',
      token: signHs256(publicPem, { alg: 'HS512', kid: f.signer.kid }, claims()),
      expect: 'unsupported_alg',
    },
    {
      name: 'rs256 in lower case',
      token: `${b64json({ alg: 'rs256', kid: f.signer.kid })}.${p}.${s}`,
      expect: 'unsupported_alg',
    },
    {
      name: 'PS256 header',
      token: `${b64json({ alg: 'PS256', kid: f.signer.kid })}.${p}.${s}`,
      expect: 'unsupported_alg',
    },
    {
      name: 'EdDSA header, EdDSA key, EdDSA signature',
      token: signEdDsa(f.ed.privateKey, { alg: 'EdDSA', kid: f.ed.kid }, claims()),
      expect: 'unsupported_alg',
    },
    {
      name: 'RS256 header pointing at the EdDSA key',
      token: signEdDsa(f.ed.privateKey, { alg: 'RS256', kid: f.ed.kid }, claims()),
      expect: 'unknown_key',
    },
    { name: 'alg missing', token: `${b64json({ kid: f.signer.kid })}.${p}.${s}`, expect: 'malformed' },
    {
      name: 'alg not a string',
      token: `${b64json({ alg: ['RS256'], kid: f.signer.kid })}.${p}.${s}`,
      expect: 'malformed',
    },
    { name: 'kid missing from the JWKS', token: rs({}, claims(), f.attacker), expect: 'unknown_key' },
    { name: 'no kid', token: signRs256(f.signer.privateKey, { alg: 'RS256' }, claims()), expect: 'unknown_key' },
    {
      name: 'kid not a string',
      token: signRs256(f.signer.privateKey, { alg: 'RS256', kid: 7 }, claims()),
      expect: 'malformed',
    },
    {
      name: 'kid of a 1024-bit key',
      token: signRs256(f.signer.privateKey, { alg: 'RS256', kid: 'weak' }, claims()),
      expect: 'unknown_key',
    },
    { name: 'kid shared by two different RSA keys', token: ok({ kid: 'dup' }), expect: 'unknown_key' },
    { name: 'kid of a key published for RS512', token: ok({ kid: 'rs512' }), expect: 'unknown_key' },
    { name: 'kid of an encryption key', token: ok({ kid: 'enc' }), expect: 'unknown_key' },
    { name: 'kid of a key without verify in key_ops', token: ok({ kid: 'no-verify' }), expect: 'unknown_key' },
    {
      name: 'jwk header with the attacker key, real kid',
      token: signRs256(f.attacker.privateKey, { alg: 'RS256', kid: f.signer.kid, jwk: f.attacker.jwk }, claims()),
      expect: 'bad_signature',
    },
    {
      name: 'jku header, attacker kid',
      token: rs({ jku: 'http://127.0.0.1:9/jwks.json' }, claims(), f.attacker),
      expect: 'unknown_key',
    },
    {
      name: 'x5u header, real kid, attacker signature',
      token: signRs256(
        f.attacker.privateKey,
        { alg: 'RS256', kid: f.signer.kid, x5u: 'http://127.0.0.1:9/cert.pem' },
        claims(),
      ),
      expect: 'bad_signature',
    },
    { name: 'unknown crit', token: ok({ crit: ['exp-grantex'], 'exp-grantex': true }), expect: 'malformed' },
    {
      name: 'crit b64=false (unencoded payload)',
      token: signRs256(f.signer.privateKey, { alg: 'RS256', kid: f.signer.kid, crit: ['b64'], b64: false }, p),
      expect: 'malformed',
    },
    { name: 'crit empty array', token: ok({ crit: [] }), expect: 'malformed' },
    {
      name: 'PSS signature under an RS256 header',
      token: `${h}.${p}.${b64(sign('sha256', Buffer.from(`${h}.${p}`), { key: f.signer.privateKey, padding: 6 }))}`,
      expect: 'bad_signature',
    },
    { name: 'expired', token: ok({}, claims({ exp: NOW - 10 })), expect: 'expired' },
    { name: 'exp at now minus the tolerance', token: ok({}, claims({ exp: NOW - 5 })), expect: 'expired' },
    { name: 'nbf in the future', token: ok({}, claims({ nbf: NOW + 60 })), expect: 'not_yet_valid' },
    { name: 'iat in the future beyond tolerance', token: ok({}, claims({ iat: NOW + 60 })), expect: 'not_yet_valid' },
    { name: 'older than maxTokenAge', token: f.valid, expect: 'expired', options: { maxTokenAge: 30 } },
    { name: 'wrong iss', token: f.valid, expect: 'wrong_issuer', options: { issuer: 'https://evil.example.test' } },
    {
      name: 'wrong aud',
      token: ok({}, claims({ aud: 'https://other.example.test' })),
      expect: 'wrong_audience',
      options: { audience: 'https://api.example.test' },
    },
    {
      name: 'no aud when one is required',
      token: f.valid,
      expect: 'wrong_audience',
      options: { audience: 'https://api.example.test' },
    },
    {
      name: 'missing scope',
      token: f.valid,
      expect: 'insufficient_scope',
      options: { requiredScopes: ['calendar:write'] },
    },
    {
      name: 'tampered payload (scope added)',
      token: `${h}.${b64json(claims({ scp: ['calendar:read', 'email:send', 'admin'] }))}.${s}`,
      expect: 'bad_signature',
    },
    {
      name: 'tampered payload (exp extended)',
      token: `${h}.${b64json(claims({ exp: NOW + 99_999 }))}.${s}`,
      expect: 'bad_signature',
    },
    { name: 'tampered signature (bit flip)', token: `${h}.${p}.${flipFirst(s)}`, expect: 'bad_signature' },
    {
      name: 'signature from another token',
      token: `${h}.${p}.${ok({}, claims({ jti: 'tok_other' })).split('.')[2]}`,
      expect: 'bad_signature',
    },
    {
      name: 'signature truncated by one byte',
      token: `${h}.${p}.${b64(Buffer.from(s, 'base64url').subarray(1))}`,
      expect: 'bad_signature',
    },
    {
      name: 'signature with a leading zero byte',
      token: `${h}.${p}.${b64(Buffer.concat([Buffer.alloc(1), Buffer.from(s, 'base64url')]))}`,
      expect: 'bad_signature',
    },
    {
      name: 'non-canonical signature (last char)',
      token: `${h}.${p}.${s.slice(0, -1)}${nonCanonical(s)}`,
      expect: 'malformed',
    },
    { name: 'padded segment', token: `${h}.${p}.${s}==`, expect: 'malformed' },
    {
      name: 'standard base64 alphabet',
      token: `${h}.${p}.${s.replaceAll('-', '+').replaceAll('_', '/')}`,
      expect: s.includes('-') || s.includes('_') ? 'malformed' : 'ok',
    },
    { name: 'whitespace in the signature', token: `${h}.${p}.${s.slice(0, 20)} ${s.slice(21)}`, expect: 'malformed' },
    { name: 'two parts', token: `${h}.${p}`, expect: 'malformed' },
    { name: 'four parts', token: `${f.valid}.${s}`, expect: 'malformed' },
    { name: 'one part', token: h, expect: 'malformed' },
    { name: 'empty string', token: '', expect: 'malformed' },
    { name: 'dots only', token: '..', expect: 'malformed' },
    { name: 'empty payload', token: `${h}..${s}`, expect: 'malformed' },
    { name: 'not a string (number)', token: 42, expect: 'malformed' },
    { name: 'not a string (undefined)', token: undefined, expect: 'malformed' },
    { name: 'not a string (object)', token: { toString: () => f.valid }, expect: 'malformed' },
    { name: 'header not JSON', token: `${b64('{"alg":"RS256",')}.${p}.${s}`, expect: 'malformed' },
    { name: 'header a JSON array', token: `${b64json(['RS256'])}.${p}.${s}`, expect: 'malformed' },
    { name: 'header JSON null', token: `${b64json(null)}.${p}.${s}`, expect: 'malformed' },
    { name: 'header not UTF-8', token: `${b64(Buffer.from([0x7b, 0xff, 0x7d]))}.${p}.${s}`, expect: 'malformed' },
    { name: 'payload not JSON (signed)', token: ok({}, b64('not json')), expect: 'malformed' },
    { name: 'payload a JSON array (signed)', token: ok({}, b64json([claims()])), expect: 'malformed' },
    { name: 'payload not UTF-8 (signed)', token: ok({}, b64(Buffer.from([0xc3, 0x28]))), expect: 'malformed' },
    { name: 'oversized token', token: `${h}.${b64json(claims({ pad: 'x'.repeat(9000) }))}.${s}`, expect: 'malformed' },
    {
      name: 'oversized token under a small maxTokenLength',
      token: f.valid,
      expect: 'malformed',
      options: { maxTokenLength: 100 },
    },
    { name: 'scp a string', token: ok({}, claims({ scp: 'calendar:read email:send' })), expect: 'invalid_claims' },
    { name: 'scp with a number', token: ok({}, claims({ scp: ['calendar:read', 1] })), expect: 'invalid_claims' },
    { name: 'scp with null', token: ok({}, claims({ scp: [null] })), expect: 'invalid_claims' },
    { name: 'scp an object', token: ok({}, claims({ scp: { 0: 'calendar:read' } })), expect: 'invalid_claims' },
    { name: 'scp missing', token: ok({}, claims({ scp: undefined })), expect: 'invalid_claims' },
    { name: 'exp missing', token: ok({}, claims({ exp: undefined })), expect: 'invalid_claims' },
    { name: 'exp a string', token: ok({}, claims({ exp: String(NOW + 3600) })), expect: 'invalid_claims' },
    {
      name: 'exp infinite (1e999)',
      token: ok({}, b64(JSON.stringify(claims({ exp: 12345 })).replace('12345', '1e999'))),
      expect: 'invalid_claims',
    },
    { name: 'iat missing', token: ok({}, claims({ iat: undefined })), expect: 'invalid_claims' },
    { name: 'nbf a string', token: ok({}, claims({ nbf: 'yesterday' })), expect: 'invalid_claims' },
    { name: 'jti missing', token: ok({}, claims({ jti: undefined })), expect: 'invalid_claims' },
    { name: 'sub a number', token: ok({}, claims({ sub: 7 })), expect: 'invalid_claims' },
    { name: 'agt empty', token: ok({}, claims({ agt: '' })), expect: 'invalid_claims' },
    { name: 'iss missing', token: ok({}, claims({ iss: undefined })), expect: 'invalid_claims' },
    { name: 'aud a number', token: ok({}, claims({ aud: 5 })), expect: 'invalid_claims' },
    {
      name: 'parentAgt without parentGrnt',
      token: ok({}, claims({ parentAgt: 'did:grantex:ag_P', delegationDepth: 1 })),
      expect: 'invalid_claims',
    },
    {
      name: 'delegated without delegationDepth',
      token: ok({}, claims({ parentAgt: 'did:grantex:ag_P', parentGrnt: 'grnt_P' })),
      expect: 'invalid_claims',
    },
    { name: 'delegationDepth negative', token: ok({}, claims({ delegationDepth: -1 })), expect: 'invalid_claims' },
    {
      name: 'delegationDepth fractional',
      token: ok({}, claims({ parentAgt: 'did:grantex:ag_P', parentGrnt: 'grnt_P', delegationDepth: 1.5 })),
      expect: 'invalid_claims',
    },
  );
  return cases;
}

function flipFirst(segment: string): string {
  const bytes = Buffer.from(segment, 'base64url');
  bytes[0] = bytes[0]! ^ 1;
  return b64(bytes);
}

/** Another spelling of the last character that lenient decoders read as the same bits. */
function nonCanonical(segment: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const value = alphabet.indexOf(segment.at(-1)!);
  const unused = segment.length % 4 === 2 ? 0x0f : 0x03;
  return alphabet[(value & ~unused) | 1]!;
}
