/**
 * The passport attack corpus: hostile or broken passports built from the real
 * vector, each with the error code verifyPassport must refuse it with.
 */
import { createHmac } from 'node:crypto';
import type { GrantexTokenErrorCode } from '../../../src/integrity/verify/errors.js';
import type { VerifyPassportOptions } from '../../../src/integrity/passport/verify-passport.js';
import { b64json, ed25519Key, rsaKey, signEdDsa, signRs256 } from '../support/tokens.js';
import { CLOCK, didDocuments, first, ISSUER, issuerDocument, second } from './vectors.js';

export interface PassportCase {
  name: string;
  passport: unknown;
  expect: GrantexTokenErrorCode | 'ok';
  options?: Partial<VerifyPassportOptions>;
}

type Json = Record<string, any>;

const clone = (value: unknown): Json => JSON.parse(JSON.stringify(value));
const base = first.credential as Json;
const rsaJwk = issuerDocument.verificationMethod[0]!.publicKeyJwk;

/** The passport with `edit` applied to a copy. */
function edited(edit: (c: Json) => void): Json {
  const c = clone(base);
  edit(c);
  return c;
}

/** The signed claims of a passport, as the issuer writes them. */
function claimsOf(c: Json): Json {
  return {
    vc: {
      '@context': c['@context'],
      type: c.type,
      credentialSubject: c.credentialSubject,
      credentialStatus: c.credentialStatus,
    },
    iss: c.issuer,
    sub: c.credentialSubject.id,
    jti: c.id,
    iat: Math.floor(Date.parse(c.validFrom) / 1000),
    exp: Math.floor(Date.parse(c.validUntil) / 1000),
  };
}

const attacker = rsaKey('grantex-2026-12');
const attackerEd = ed25519Key('attacker-ed');
export const ATTACKER_DID = 'did:web:attacker.example';
export const attackerDocument = {
  '@context': ['https://www.w3.org/ns/did/v1'],
  id: ATTACKER_DID,
  verificationMethod: [
    {
      id: `${ATTACKER_DID}#attacker-ed`,
      type: 'JsonWebKey2020',
      controller: ATTACKER_DID,
      publicKeyJwk: attackerEd.jwk,
    },
    {
      id: `${ATTACKER_DID}#attacker-rsa`,
      type: 'JsonWebKey2020',
      controller: ATTACKER_DID,
      publicKeyJwk: { ...attacker.jwk, kid: 'attacker-rsa' },
    },
  ],
  assertionMethod: [`${ATTACKER_DID}#attacker-ed`, `${ATTACKER_DID}#attacker-rsa`],
};

/** A passport by the attacker's own DID, signed and bound correctly (valid if that DID is trusted). */
function attackerPassport(edit: (c: Json) => void = () => {}, alg: 'EdDSA' | 'RS256' = 'EdDSA'): Json {
  const c = edited((x) => {
    x.issuer = ATTACKER_DID;
    edit(x);
  });
  c.proof.proofValue =
    alg === 'EdDSA'
      ? signEdDsa(attackerEd.privateKey, { alg: 'EdDSA', kid: 'attacker-ed', typ: 'JWT' }, claimsOf(c))
      : signRs256(attacker.privateKey, { alg: 'RS256', kid: 'attacker-rsa', typ: 'JWT' }, claimsOf(c));
  return c;
}

/** The attacker's passport whose signed claims name the trusted issuer instead. */
function issuerSwapped(): Json {
  const c = attackerPassport();
  c.proof.proofValue = signEdDsa(
    attackerEd.privateKey,
    { alg: 'EdDSA', kid: 'attacker-ed', typ: 'JWT' },
    { ...claimsOf(c), iss: ISSUER },
  );
  return c;
}

/** A passport claiming the trusted issuer, re-signed by the attacker with `header`. */
function forged(header: Json, edit: (c: Json) => void = () => {}): Json {
  const c = edited(edit);
  c.proof.proofValue = signRs256(attacker.privateKey, header, claimsOf(c));
  return c;
}

const [h, p] = (base.proof.proofValue as string).split('.');
const trustBoth = {
  trustedIssuers: [ISSUER, ATTACKER_DID],
  didDocuments: { ...didDocuments, [ATTACKER_DID]: attackerDocument },
};

export const passportCorpus: PassportCase[] = [
  // Controls.
  {
    name: 'the real passport, encoded as the X-Grantex-Passport header',
    passport: first.encodedCredential,
    expect: 'ok',
  },
  { name: 'the real passport, as an object', passport: first.credential, expect: 'ok' },
  { name: 'the second real passport (1 h)', passport: second.encodedCredential, expect: 'ok' },
  {
    name: 'a passport of a trusted issuer signed with Ed25519',
    passport: attackerPassport(),
    expect: 'ok',
    options: trustBoth,
  },
  {
    name: 'a passport of a trusted issuer whose DID document lists RSA',
    passport: attackerPassport(() => {}, 'RS256'),
    expect: 'ok',
    options: trustBoth,
  },
  // Decoding and structure (step 1).
  { name: 'not a string or object', passport: 42, expect: 'malformed' },
  { name: 'empty string', passport: '', expect: 'malformed' },
  {
    name: 'standard base64 instead of base64url',
    passport: `${first.encodedCredential.slice(0, 20)}+/`,
    expect: 'malformed',
  },
  {
    name: 'base64url of something not JSON',
    passport: Buffer.from('not json').toString('base64url'),
    expect: 'malformed',
  },
  { name: 'base64url of a JSON array', passport: b64json([base]), expect: 'malformed' },
  { name: 'longer than maxLength', passport: 'A'.repeat(70_000), expect: 'malformed' },
  {
    name: 'VC 1.1 context',
    passport: edited((c) => {
      c['@context'] = ['https://www.w3.org/2018/credentials/v1'];
    }),
    expect: 'malformed',
  },
  {
    name: 'type without AgentPassportCredential',
    passport: edited((c) => {
      c.type = ['VerifiableCredential'];
    }),
    expect: 'malformed',
  },
  {
    name: 'no proof',
    passport: edited((c) => {
      delete c.proof;
    }),
    expect: 'malformed',
  },
  {
    name: 'validUntil not a date',
    passport: edited((c) => {
      c.validUntil = 'tomorrow';
    }),
    expect: 'invalid_claims',
  },
  {
    name: 'lifetime over 720 hours',
    passport: edited((c) => {
      c.validUntil = '2027-01-05T10:26:08.403Z';
    }),
    expect: 'invalid_claims',
  },
  {
    name: 'amount not a number',
    passport: edited((c) => {
      c.credentialSubject.maxTransactionAmount.amount = '50';
    }),
    expect: 'invalid_claims',
  },
  {
    name: 'negative delegation depth',
    passport: edited((c) => {
      c.credentialSubject.delegationDepth = -1;
    }),
    expect: 'invalid_claims',
  },
  // Trusted issuers (step 2).
  {
    name: 'an issuer that is not trusted',
    passport: attackerPassport(),
    expect: 'untrusted_issuer',
    options: { didDocuments: trustBoth.didDocuments },
  },
  // Validity window (step 3).
  {
    name: 'after validUntil',
    passport: first.encodedCredential,
    expect: 'expired',
    options: { currentDate: new Date('2026-12-06T10:26:09Z') },
  },
  {
    name: 'before validFrom',
    passport: first.encodedCredential,
    expect: 'not_yet_valid',
    options: { currentDate: new Date('2026-12-05T10:00:00Z') },
  },
  // Signature (step 4).
  {
    name: 'alg none',
    passport: edited((c) => {
      c.proof.proofValue = `${b64json({ alg: 'none', kid: 'grantex-2026-12' })}.${p}.`;
    }),
    expect: 'malformed',
  },
  {
    name: 'alg none with a signature part',
    passport: edited((c) => {
      c.proof.proofValue = `${b64json({ alg: 'none', kid: 'grantex-2026-12' })}.${p}.AAAA`;
    }),
    expect: 'unsupported_alg',
  },
  {
    name: 'HS256 keyed with the public modulus',
    passport: edited((c) => {
      const input = `${b64json({ alg: 'HS256', kid: 'grantex-2026-12' })}.${p}`;
      c.proof.proofValue = `${input}.${createHmac('sha256', String(rsaJwk['n'])).update(input).digest('base64url')}`;
    }),
    expect: 'unsupported_alg',
  },
  { name: 'no kid', passport: forged({ alg: 'RS256' }), expect: 'unknown_key' },
  {
    name: 'the attacker key under the trusted kid',
    passport: forged({ alg: 'RS256', kid: 'grantex-2026-12' }),
    expect: 'bad_signature',
  },
  {
    name: 'a kid the issuer does not have',
    passport: forged({ alg: 'RS256', kid: 'attacker-rsa' }),
    expect: 'unknown_key',
  },
  {
    name: 'jku pointing at the attacker key set',
    passport: forged({ alg: 'RS256', kid: 'grantex-2026-12', jku: 'https://attacker.example/jwks.json' }),
    expect: 'bad_signature',
  },
  {
    name: 'an embedded jwk header',
    passport: forged({ alg: 'RS256', kid: 'grantex-2026-12', jwk: attacker.jwk }),
    expect: 'bad_signature',
  },
  {
    name: 'RS256 naming the Ed25519 key',
    passport: edited((c) => {
      c.proof.proofValue = `${b64json({ alg: 'RS256', kid: 'grantex-ed25519-2026-12', typ: 'JWT' })}.${p}.${(base.proof.proofValue as string).split('.')[2]}`;
    }),
    expect: 'unknown_key',
  },
  {
    name: 'EdDSA naming the Ed25519 key over an RSA signature',
    passport: edited((c) => {
      c.proof.proofValue = `${b64json({ alg: 'EdDSA', kid: 'grantex-ed25519-2026-12', typ: 'JWT' })}.${p}.${(base.proof.proofValue as string).split('.')[2]}`;
    }),
    expect: 'bad_signature',
  },
  {
    name: 'a critical header',
    passport: forged({ alg: 'RS256', kid: 'grantex-2026-12', crit: ['x'] }),
    expect: 'malformed',
  },
  {
    name: 'one signature bit flipped',
    passport: edited((c) => {
      const s = (base.proof.proofValue as string).split('.')[2]!;
      c.proof.proofValue = `${h}.${p}.${s.slice(0, -2)}${s.at(-2) === 'A' ? 'B' : 'A'}${s.at(-1)}`;
    }),
    expect: 'bad_signature',
  },
  // The unsigned wrapper must repeat the signed claims.
  {
    name: 'amount raised in the wrapper',
    passport: edited((c) => {
      c.credentialSubject.maxTransactionAmount.amount = 5000;
    }),
    expect: 'invalid_claims',
  },
  {
    name: 'category added in the wrapper',
    passport: edited((c) => {
      c.credentialSubject.allowedMPPCategories.push('data');
    }),
    expect: 'invalid_claims',
  },
  {
    name: 'validUntil extended in the wrapper',
    passport: edited((c) => {
      c.validUntil = '2026-12-07T10:26:08.403Z';
    }),
    expect: 'invalid_claims',
  },
  {
    name: 'id changed in the wrapper',
    passport: edited((c) => {
      c.id = 'urn:grantex:passport:01OTHER';
    }),
    expect: 'invalid_claims',
  },
  {
    name: 'status index moved in the wrapper',
    passport: edited((c) => {
      c.credentialStatus.statusListIndex = '7';
    }),
    expect: 'invalid_claims',
  },
  {
    name: "another passport's proof",
    passport: edited((c) => {
      c.proof.proofValue = (second.credential['proof'] as Json).proofValue;
    }),
    expect: 'invalid_claims',
  },
  {
    name: 'a signed iss that differs from the wrapper issuer',
    passport: issuerSwapped(),
    expect: 'invalid_claims',
    options: trustBoth,
  },
  // Category and amount (steps 6, 7).
  {
    name: 'a category the passport does not allow',
    passport: first.encodedCredential,
    expect: 'insufficient_scope',
    options: { category: 'media' },
  },
  { name: 'an allowed category', passport: first.encodedCredential, expect: 'ok', options: { category: 'compute' } },
  {
    name: 'an amount above the limit',
    passport: first.encodedCredential,
    expect: 'limit_exceeded',
    options: { amount: 50.01 },
  },
  {
    name: 'the limit exactly',
    passport: first.encodedCredential,
    expect: 'ok',
    options: { amount: { amount: 50, currency: 'USDC' } },
  },
  {
    name: 'another currency',
    passport: first.encodedCredential,
    expect: 'limit_exceeded',
    options: { amount: { amount: 1, currency: 'EUR' } },
  },
  { name: 'a negative amount', passport: first.encodedCredential, expect: 'invalid_options', options: { amount: -1 } },
];

export const corpusDefaults: VerifyPassportOptions = { trustedIssuers: [ISSUER], didDocuments, currentDate: CLOCK };
