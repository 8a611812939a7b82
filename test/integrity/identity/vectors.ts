/** The surface vectors of the identity tests, with the fixed clock they need. */
import { readFileSync } from 'node:fs';
import type { DidDocument } from '../../../src/integrity/did/resolve.js';
import { GrantexTokenError } from '../../../src/integrity/verify/errors.js';

const SURFACE = new URL('../../vectors/surface/', import.meta.url);

export function surface(name: string): any {
  return JSON.parse(readFileSync(new URL(name, SURFACE), 'utf8'));
}

/** Inside every vector's validity window (see test/vectors/README.md). */
export const CLOCK = new Date('2026-12-05T10:30:00Z');

export const passportVectors = surface('passport.json');
export const credentialVectors = surface('credentials.json');
export const ISSUER = 'did:web:grantex.dev';
export const issuerDocument: DidDocument = passportVectors.verificationKeys.didDocument.response.body;
export const didDocuments = { [ISSUER]: issuerDocument };

export const first = passportVectors.issue.response.body as {
  encodedCredential: string;
  credential: Record<string, unknown>;
};
export const second = passportVectors.issueSecond.response.body as typeof first;
export const STATUS_URL: string = (second.credential['credentialStatus'] as { statusListCredential: string })
  .statusListCredential;
export const statusBefore = passportVectors.statusListBeforeRevoke.response.body;
export const statusAfter = passportVectors.statusListAfterRevoke.response.body;

/** What a verification ended in: 'ok', or the `GrantexTokenError` code it was refused with (anything else is rethrown). */
export async function tokenErrorCode(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'ok';
  } catch (error) {
    if (error instanceof GrantexTokenError) return error.code;
    throw error;
  }
}
