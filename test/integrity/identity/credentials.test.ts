// VC-JWT and SD-JWT verification and the StatusList2021 reader, on the real credential vectors.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createStatusListReader } from '../../../src/integrity/credentials/status-list.js';
import { verifyCredential, verifyPresentation } from '../../../src/integrity/credentials/verify-credential.js';
import { CLOCK, credentialVectors as v, didDocuments, ISSUER, tokenErrorCode as code } from './vectors.js';

const options = { trustedIssuers: [ISSUER], didDocuments, currentDate: CLOCK };
const vcJwt: string = v.tokenVcJwt.response.body.verifiableCredential;
const sdJwt: string = v.present.request.body.sdJwt;
const partial: string = v.presentPartialDisclosure.request.body.sdJwt;
const statusUrl: string = v.statusList.response.body.id;

describe('verifyCredential (VC-JWT)', () => {
  it('accepts the real credential and returns its claims', async () => {
    const vc = await verifyCredential(vcJwt, options);
    expect(vc).toMatchObject({
      id: v.verify.response.body.vcId,
      issuer: ISSUER,
      subject: 'did:grantex:ag_01M92VTQBAZEHB2SK0C7T17HSX',
      type: ['VerifiableCredential', 'AgentGrantCredential'],
      credentialSubject: v.verify.response.body.payload.vc.credentialSubject,
    });
  });

  it('refuses the tampered vector the server also refused', async () => {
    expect(await code(() => verifyCredential(v.verifyTampered.request.body.credential, options))).toBe('bad_signature');
  });

  it('refuses an untrusted issuer before resolving anything', async () => {
    const resolver = {
      peek: () => undefined,
      resolve: () => Promise.reject(new Error('must not resolve')),
    };
    expect(
      await code(() => verifyCredential(vcJwt, { ...options, trustedIssuers: ['did:web:other.example'], resolver })),
    ).toBe('untrusted_issuer');
  });

  it('sees the grant revoke in the status list once the server applied it', async () => {
    const before = { statusList: { documents: { [statusUrl]: v.statusList.response.body } } };
    const later = { statusList: { documents: { [statusUrl]: v.statusListAfterGrantRevokeLater.response.body } } };
    expect(await code(() => verifyCredential(vcJwt, { ...options, ...before }))).toBe('ok');
    expect(await code(() => verifyCredential(vcJwt, { ...options, ...later }))).toBe('revoked');
  });

  it('refuses an expired credential', async () => {
    expect(
      await code(() => verifyCredential(vcJwt, { ...options, currentDate: new Date('2026-12-06T00:00:00Z') })),
    ).toBe('expired');
  });
});

describe('verifyPresentation (SD-JWT)', () => {
  it('returns every disclosed claim of the full presentation', async () => {
    const vc = await verifyPresentation(sdJwt, options);
    expect(vc.credentialSubject).toEqual(v.present.response.body.disclosedClaims);
  });

  it('returns only what a partial presentation discloses', async () => {
    const vc = await verifyPresentation(partial, options);
    expect(vc.credentialSubject).toEqual(v.presentPartialDisclosure.response.body.disclosedClaims);
    expect(vc.credentialSubject).not.toHaveProperty('principalId');
  });

  it('requires a key-binding JWT when a nonce is expected', async () => {
    expect(await code(() => verifyPresentation(sdJwt, { ...options, nonce: 'n-123' }))).toBe('invalid_claims');
  });

  it('refuses a disclosure the credential does not list', async () => {
    const forged = Buffer.from(JSON.stringify(['salt', 'principalId', 'someone_else'])).toString('base64url');
    const [jws] = sdJwt.split('~');
    expect(await code(() => verifyPresentation(`${jws}~${forged}~`, options))).toBe('invalid_claims');
  });

  it('refuses a VC-JWT presented as an SD-JWT', async () => {
    expect(await code(() => verifyPresentation(`${vcJwt}~`, options))).toBe('malformed');
  });
});

describe('createStatusListReader', () => {
  const list = (bits: Uint8Array) => ({
    type: ['VerifiableCredential', 'StatusList2021Credential'],
    credentialSubject: { statusPurpose: 'revocation', encodedList: Buffer.from(gzipSync(bits)).toString('base64url') },
  });
  const entry = (index: number, url = 'https://status.example/list') => ({
    type: 'StatusList2021Entry',
    statusPurpose: 'revocation',
    statusListIndex: String(index),
    statusListCredential: url,
  });

  it('reads bits most significant first', async () => {
    const reader = createStatusListReader({
      documents: { 'https://status.example/list': list(Uint8Array.of(0b0100_0001)) },
    });
    const bits = await Promise.all([0, 1, 2, 7].map((i) => reader.isRevoked(entry(i))));
    expect(bits).toEqual([false, true, false, true]);
    expect(await code(() => reader.isRevoked(entry(8)))).toBe('status_unavailable');
  });

  it('stops inflating a gzip bomb at its cap', async () => {
    const reader = createStatusListReader({
      documents: { 'https://status.example/list': list(new Uint8Array(4 << 20)) },
      maxListBytes: 1 << 20,
    });
    expect(await code(() => reader.isRevoked(entry(0)))).toBe('status_unavailable');
  });

  it('fetches only allowed origins, over https, with no redirects, and caches', async () => {
    const seen: RequestInit[] = [];
    const fetch: typeof globalThis.fetch = async (_url, init) => {
      seen.push(init ?? {});
      return Response.json(list(Uint8Array.of(0x80)));
    };
    const reader = createStatusListReader({ allowedOrigins: ['https://status.example'], fetch });
    expect(await reader.isRevoked(entry(0))).toBe(true);
    expect(await reader.isRevoked(entry(1))).toBe(false);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.redirect).toBe('manual');
    expect(await code(() => reader.isRevoked(entry(0, 'https://evil.example/list')))).toBe('status_unavailable');
    expect(seen).toHaveLength(1);
  });

  it('refuses a redirect answer and a malformed entry', async () => {
    const fetch: typeof globalThis.fetch = async () =>
      new Response(null, { status: 302, headers: { location: 'https://x' } });
    const reader = createStatusListReader({ allowedOrigins: ['https://status.example'], fetch });
    expect(await code(() => reader.isRevoked(entry(0)))).toBe('status_unavailable');
    expect(await code(() => reader.isRevoked({ ...entry(0), statusListIndex: '-1' }))).toBe('malformed');
    expect(await code(() => reader.isRevoked({ ...entry(0), type: 'BitstringStatusListEntry' }))).toBe('malformed');
  });
});
