/**
 * The passport row of `npm run bench -- verify`: verifyPassport (SPEC.md
 * §15.3) with a warm key cache against the practical limit, node:crypto
 * RSA-SHA256 verification of the same passports with the same checks inline
 * (decode, structure, trusted issuer, validity, signature, binding of the
 * wrapper to the signed claims, category, amount). Goal: >= 0.9x.
 */
import { createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import type { DidDocument } from '../../src/integrity/did/resolve.js';
import { createPassportVerifier, verifyPassport } from '../../src/integrity/passport/verify-passport.js';
import { compare, report, type Contender, type Result } from './support.js';

const ISSUER = 'did:web:bench.example';
const KID = 'bench-passport';
const COUNT = Number(process.env.BENCH_PASSPORTS ?? 5000);

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' } as {
  kty: string;
  kid: string;
};
const document: DidDocument = {
  '@context': ['https://www.w3.org/ns/did/v1'],
  id: ISSUER,
  verificationMethod: [{ id: `${ISSUER}#${KID}`, type: 'JsonWebKey2020', controller: ISSUER, publicKeyJwk: jwk }],
  assertionMethod: [`${ISSUER}#${KID}`],
};
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function makePassport(i: number, nowMs: number): string {
  const validFrom = new Date(Math.floor(nowMs / 1000) * 1000 - 60_000);
  const validUntil = new Date(validFrom.getTime() + 24 * 3_600_000);
  const subject = {
    id: `did:grantex:ag_${i}`,
    type: 'AIAgent',
    humanPrincipal: `did:grantex:user_${i}`,
    organizationDID: ISSUER,
    grantId: `grnt_${i}`,
    allowedMPPCategories: ['inference', 'compute'],
    maxTransactionAmount: { amount: 50, currency: 'USDC' },
    paymentRails: ['tempo'],
    delegationDepth: 0,
  };
  const status = {
    id: `https://bench.example/status/1#${i}`,
    type: 'StatusList2021Entry',
    statusPurpose: 'revocation',
    statusListIndex: String(i),
    statusListCredential: 'https://bench.example/status/1',
  };
  const id = `urn:grantex:passport:${i}`;
  const context = ['https://www.w3.org/ns/credentials/v2', 'https://grantex.dev/contexts/mpp/v1'];
  const type = ['VerifiableCredential', 'AgentPassportCredential'];
  const claims = {
    vc: { '@context': context, type, credentialSubject: subject, credentialStatus: status },
    iss: ISSUER,
    sub: subject.id,
    jti: id,
    iat: validFrom.getTime() / 1000,
    exp: validUntil.getTime() / 1000,
  };
  const input = `${b64({ alg: 'RS256', kid: KID, typ: 'JWT' })}.${b64(claims)}`;
  const proofValue = `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
  return b64({
    '@context': context,
    type,
    id,
    issuer: ISSUER,
    validFrom: validFrom.toISOString(),
    validUntil: validUntil.toISOString(),
    credentialSubject: subject,
    credentialStatus: status,
    proof: {
      type: 'JsonWebSignature2020',
      created: validFrom.toISOString(),
      verificationMethod: `${ISSUER}#${KID}`,
      proofPurpose: 'assertionMethod',
      proofValue,
    },
  });
}

/** The practical limit: the same checks, inline, with node:crypto. */
function rawVerifier(keys: Map<string, KeyObject>) {
  return (encoded: string) => {
    const c = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
    if (c['@context']?.[0] !== 'https://www.w3.org/ns/credentials/v2' || !c.type?.includes('AgentPassportCredential'))
      throw new Error('structure');
    if (c.issuer !== ISSUER) throw new Error('issuer');
    const from = Date.parse(c.validFrom);
    const until = Date.parse(c.validUntil);
    const now = Date.now();
    if (!(until > now) || from > now || until - from > 720 * 3_600_000) throw new Error('window');
    const [h, p, s] = String(c.proof.proofValue).split('.') as [string, string, string];
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    const key = header.alg === 'RS256' ? keys.get(header.kid) : undefined;
    if (key === undefined) throw new Error('kid');
    if (!verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))) throw new Error('signature');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    if (claims.iss !== c.issuer || claims.sub !== c.credentialSubject.id || claims.jti !== c.id)
      throw new Error('binding');
    if (claims.iat !== Math.floor(from / 1000) || claims.exp !== Math.floor(until / 1000)) throw new Error('binding');
    if (JSON.stringify(claims.vc.credentialSubject) !== JSON.stringify(c.credentialSubject)) throw new Error('binding');
    if (JSON.stringify(claims.vc.credentialStatus) !== JSON.stringify(c.credentialStatus)) throw new Error('binding');
    if (!c.credentialSubject.allowedMPPCategories.includes('inference')) throw new Error('category');
    if (c.credentialSubject.maxTransactionAmount.amount < 12.5) throw new Error('amount');
    return c;
  };
}

/** The passport with its amount raised in the unsigned wrapper: every contender must refuse it. */
function tamper(encoded: string): string {
  const c = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  c.credentialSubject.maxTransactionAmount.amount = 5000;
  return b64(c);
}

/** Runs the passport comparison and prints its table; true when the goal is met. */
export async function passportBench(): Promise<boolean> {
  const nowMs = Date.now();
  const passports = Array.from({ length: COUNT + 500 }, (_, i) => makePassport(i, nowMs));
  const warmup = passports.slice(COUNT);
  const inputs = passports.slice(0, COUNT);
  const raw = rawVerifier(new Map([[KID, createPublicKey({ key: jwk, format: 'jwk' })]]));
  const call = { category: 'inference', amount: 12.5 };
  const verifier = createPassportVerifier({ trustedIssuers: [ISSUER], didDocuments: { [ISSUER]: document } });
  const contenders: Contender[] = [
    { name: 'raw node:crypto + same passport checks (baseline)', async: false, run: raw },
    { name: 'createPassportVerifier().verify (warm keys)', async: true, run: (t) => verifier.verify(t, call) },
    {
      name: 'verifyPassport({ didDocuments }) per call',
      async: true,
      run: (t) => verifyPassport(t, { trustedIssuers: [ISSUER], didDocuments: { [ISSUER]: document }, ...call }),
    },
  ];
  const tampered = tamper(inputs[0]!);
  const results: Result[] = await compare(contenders, inputs, { passes: 1, chunk: 250, warmup });
  for (const [i, contender] of contenders.entries()) {
    try {
      await contender.run(tampered);
      results[i]!.voidReason = 'accepted a passport whose amount was raised';
    } catch {
      // Refused, as it must be.
    }
  }
  return report(`passports (${COUNT} distinct, SPEC §15.3 with category and amount)`, results, {
    'createPassportVerifier().verify (warm keys)': 0.9,
  });
}
