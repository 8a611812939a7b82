import { GrantexTokenError } from '../verify/errors.js';
import type { AgentPassportCredential } from '../../../generated/models.js';
export type { AgentPassportCredential };

const VC2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
/** SPEC.md §15.1: a passport lives 720 hours at most. */
export const MAX_PASSPORT_MS = 720 * 3_600_000;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

const invalid = (message: string) => new GrantexTokenError('invalid_claims', message);
const malformed = (message: string) => new GrantexTokenError('malformed', message);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function instant(value: unknown, name: string): number {
  if (typeof value !== 'string' || !RFC3339.test(value)) throw invalid(`${name} must be an RFC 3339 date-time`);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalid(`${name} is not a valid date`);
  return ms;
}

/** The checked passport, with its validity window in milliseconds. */
export interface PassportShape {
  credential: AgentPassportCredential;
  validFrom: number;
  validUntil: number;
}

/**
 * Checks the VC 2.0 structure and the passport's subject.
 *
 * @throws {GrantexTokenError} `malformed` (not a credential) or `invalid_claims` (a field is wrong).
 */
export function checkStructure(value: unknown): PassportShape {
  if (!isObject(value)) throw malformed('a passport must be a JSON object');
  const context = value['@context'];
  if (!isStringArray(context) || context[0] !== VC2_CONTEXT) throw malformed(`@context must start with ${VC2_CONTEXT}`);
  const type = value['type'];
  if (!isStringArray(type) || !type.includes('VerifiableCredential') || !type.includes('AgentPassportCredential'))
    throw malformed('type must include VerifiableCredential and AgentPassportCredential');
  if (typeof value['id'] !== 'string' || value['id'] === '') throw invalid('id must be a non-empty string');
  if (typeof value['issuer'] !== 'string' || !value['issuer'].startsWith('did:')) throw invalid('issuer must be a DID');
  const validFrom = instant(value['validFrom'], 'validFrom');
  const validUntil = instant(value['validUntil'], 'validUntil');
  if (validUntil <= validFrom) throw invalid('validUntil must be after validFrom');
  if (validUntil - validFrom > MAX_PASSPORT_MS) throw invalid('a passport cannot be valid for more than 720 hours');
  const s = value['credentialSubject'];
  if (!isObject(s)) throw invalid('credentialSubject must be an object');
  if (typeof s['id'] !== 'string' || !s['id'].startsWith('did:')) throw invalid('credentialSubject.id must be a DID');
  for (const field of ['humanPrincipal', 'organizationDID', 'grantId'] as const)
    if (typeof s[field] !== 'string') throw invalid(`credentialSubject.${field} must be a string`);
  if (!isStringArray(s['allowedMPPCategories'])) throw invalid('allowedMPPCategories must be a list of strings');
  const max = s['maxTransactionAmount'];
  if (!isObject(max) || typeof max['amount'] !== 'number' || !Number.isFinite(max['amount']) || max['amount'] < 0)
    throw invalid('maxTransactionAmount.amount must be a non-negative number');
  if (typeof max['currency'] !== 'string' || max['currency'] === '')
    throw invalid('maxTransactionAmount.currency must be a string');
  if (!isStringArray(s['paymentRails'])) throw invalid('paymentRails must be a list of strings');
  const depth = s['delegationDepth'];
  if (typeof depth !== 'number' || !Number.isInteger(depth) || depth < 0)
    throw invalid('delegationDepth must be a whole number');
  if (s['parentPassportId'] !== undefined && typeof s['parentPassportId'] !== 'string')
    throw invalid('parentPassportId must be a string');
  const proof = value['proof'];
  if (!isObject(proof) || typeof proof['proofValue'] !== 'string') throw malformed('proof.proofValue must be a string');
  return { credential: value as unknown as AgentPassportCredential, validFrom, validUntil };
}

/**
 * Binds the unsigned wrapper to the signed claims: `iss`, `sub`, `jti`,
 * `iat`/`exp` (validFrom/validUntil in seconds), `vc.credentialSubject` and
 * `vc.credentialStatus` must all repeat the wrapper exactly.
 *
 * @throws {GrantexTokenError} `invalid_claims`.
 */
export function checkBinding(shape: PassportShape, claims: Record<string, unknown>): void {
  const c = shape.credential;
  const differs = (name: string) => invalid(`the signed ${name} does not match the passport`);
  if (claims['iss'] !== c.issuer) throw differs('iss');
  if (claims['sub'] !== c.credentialSubject.id) throw differs('sub');
  if (claims['jti'] !== c.id) throw differs('jti');
  if (claims['iat'] !== Math.floor(shape.validFrom / 1000)) throw differs('iat');
  if (claims['exp'] !== Math.floor(shape.validUntil / 1000)) throw differs('exp');
  const vc = claims['vc'];
  if (!isObject(vc)) throw differs('vc');
  if (!sameJson(vc['credentialSubject'], c.credentialSubject)) throw differs('credentialSubject');
  if (!sameJson(vc['credentialStatus'], c.credentialStatus)) throw differs('credentialStatus');
  const vcType = vc['type'];
  if (vcType !== undefined && !(isStringArray(vcType) && vcType.includes('AgentPassportCredential')))
    throw differs('type');
}

/** Deep equality of JSON values (member order ignored), member by member: a few times faster than comparing serializations. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys)
    if (!Object.hasOwn(b, key) || !sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
      return false;
  return true;
}
