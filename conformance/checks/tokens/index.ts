/**
 * @module checks/tokens
 * Grant tokens: they verify against the server's JWKS with RS256 (using this
 * package's `verifyGrantToken`), carry exactly what was requested and
 * approved, honour `expiresIn`; codes are single-use and bound to their agent;
 * PKCE is enforced; refresh tokens rotate single-use; revocation and expiry
 * show in the online check; every token names one issuer, whose published key
 * set verifies it.
 */
import type { Check } from '../../engine/check.js';
import { codeChecks } from './codes.js';
import { consequenceChecks } from './consequences.js';
import { issuanceChecks } from './issuance.js';
import { revocationChecks } from './revocation.js';
import { verificationChecks } from './verification.js';

/** The token checks, in their running order (ids and order are what replays name). */
export const tokenChecks: Check[] = [
  ...issuanceChecks,
  ...codeChecks,
  ...revocationChecks,
  ...verificationChecks,
  ...consequenceChecks,
];
