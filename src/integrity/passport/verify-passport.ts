/**
 * @module passport/verify-passport
 * SPEC.md §15.3, the merchant's verification of an MPP Agent Passport: decode,
 * VC 2.0 structure, trusted issuer, validity window, issuer DID → keys →
 * signature, optional StatusList2021 revocation, then the category and the
 * amount of the transaction. Fails closed with a `GrantexTokenError`.
 */
import { base64urlToText } from '../../internal/bytes.js';
import { splitJws, verifySplitJws } from '../credentials/jws.js';
import {
  createStatusListReader,
  type StatusListReader,
  type StatusListReaderOptions,
} from '../credentials/status-list.js';
import { createDidResolver, type DidDocument, type DidResolver } from '../did/resolve.js';
import { GrantexTokenError } from '../verify/errors.js';
import { checkBinding, checkStructure, type AgentPassportCredential } from './structure.js';

/** What a verified passport tells the merchant (SPEC.md §15.3 step 8). */
export interface VerifiedPassport {
  passportId: string;
  issuer: string;
  /** The agent's DID. */
  agentDid: string;
  humanPrincipal: string;
  organizationDID: string;
  grantId: string;
  allowedMPPCategories: string[];
  maxTransactionAmount: { amount: number; currency: string };
  paymentRails: string[];
  delegationDepth: number;
  parentPassportId?: string;
  validFrom: Date;
  validUntil: Date;
  /** Whether the status list was read (and the bit found clear). */
  revocationChecked: boolean;
  /** The credential as received. */
  credential: AgentPassportCredential;
}

/** Options of a passport verifier. */
export interface PassportVerifierOptions {
  /** The issuer DIDs the merchant trusts (step 2). Required: nothing is trusted by default. */
  trustedIssuers: readonly string[];
  /** Resolves issuer DIDs (step 4). Default: a resolver with `didDocuments` and a 5-minute cache. */
  resolver?: DidResolver;
  /** Issuer DID documents known in advance (offline verification); used by the default resolver. */
  didDocuments?: Record<string, DidDocument>;
  /**
   * Revocation (step 5): a reader, reader options (`allowedOrigins` is needed
   * to fetch), or `false` to skip. Default `false`.
   */
  statusList?: StatusListReader | StatusListReaderOptions | false;
  /** Longest encoded passport accepted, in characters. Default `65_536`. */
  maxLength?: number;
  /** Seconds of clock skew tolerated on the validity window. Default `0`. */
  clockTolerance?: number;
}

/** What one verification checks against. */
export interface VerifyPassportCallOptions {
  /** The MPP category of the service requested (step 6). */
  category?: string;
  /** The transaction (step 7): its amount, and its currency, which must then match. */
  amount?: number | { amount: number; currency: string };
  /** The clock. Default now. */
  currentDate?: Date;
}

export type VerifyPassportOptions = PassportVerifierOptions & VerifyPassportCallOptions;

/** Verifies passports with one resolver and status reader (warm caches). */
export interface PassportVerifier {
  verify(passport: unknown, options?: VerifyPassportCallOptions): Promise<VerifiedPassport>;
}

/** A verifier for many passports. See {@link PassportVerifierOptions}. */
export function createPassportVerifier(options: PassportVerifierOptions): PassportVerifier {
  const trusted = options.trustedIssuers;
  if (!Array.isArray(trusted) || trusted.length === 0 || !trusted.every((d) => typeof d === 'string'))
    throw new GrantexTokenError('invalid_options', '"trustedIssuers" must list at least one issuer DID');
  const trustedSet = new Set(trusted);
  const resolver = options.resolver ?? createDidResolver({ documents: options.didDocuments ?? {} });
  const status =
    options.statusList === undefined || options.statusList === false
      ? undefined
      : 'isRevoked' in options.statusList
        ? options.statusList
        : createStatusListReader(options.statusList);
  const maxLength = options.maxLength ?? 65_536;
  const tolerance = (options.clockTolerance ?? 0) * 1000;

  return {
    async verify(passport, call = {}) {
      // Step 1: decode, parse, VC 2.0 structure.
      const shape = checkStructure(decode(passport, maxLength));
      const c = shape.credential;
      // Step 2: trusted issuer, before anything is fetched.
      if (!trustedSet.has(c.issuer))
        throw new GrantexTokenError('untrusted_issuer', 'the passport issuer is not trusted');
      // Step 3: validity window.
      const now = (call.currentDate ?? new Date()).getTime();
      if (!(now < shape.validUntil + tolerance)) throw new GrantexTokenError('expired', 'the passport has expired');
      if (shape.validFrom - tolerance > now)
        throw new GrantexTokenError('not_yet_valid', 'the passport is not valid yet');
      // Step 4: issuer DID → keys → signature, and the signed claims repeat the passport.
      const jws = c.proof.proofValue;
      const split = splitJws(jws, maxLength);
      // Warm caches answer synchronously: no await on the hot path but this function's own.
      const doc = resolver.peek(c.issuer) ?? (await resolver.resolve(c.issuer));
      const signature = verifySplitJws(jws, split, doc);
      if (signature !== undefined) await signature;
      checkBinding(shape, split.payload);
      // Step 5: revocation.
      if (status !== undefined && (await status.isRevoked(c.credentialStatus)))
        throw new GrantexTokenError('revoked', 'the passport has been revoked');
      const s = c.credentialSubject;
      // Step 6: category.
      if (call.category !== undefined && !s.allowedMPPCategories.includes(call.category as never))
        throw new GrantexTokenError(
          'insufficient_scope',
          `the passport does not allow the category ${JSON.stringify(call.category)}`,
        );
      // Step 7: amount.
      if (call.amount !== undefined) checkAmount(call.amount, s.maxTransactionAmount);
      // Step 8.
      return {
        passportId: c.id,
        issuer: c.issuer,
        agentDid: s.id,
        humanPrincipal: s.humanPrincipal,
        organizationDID: s.organizationDID,
        grantId: s.grantId,
        allowedMPPCategories: [...s.allowedMPPCategories],
        maxTransactionAmount: { ...s.maxTransactionAmount },
        paymentRails: [...s.paymentRails],
        delegationDepth: s.delegationDepth,
        ...(s.parentPassportId === undefined ? {} : { parentPassportId: s.parentPassportId }),
        validFrom: new Date(shape.validFrom),
        validUntil: new Date(shape.validUntil),
        revocationChecked: status !== undefined,
        credential: c,
      };
    },
  };
}

/**
 * Verifies one passport: the `X-Grantex-Passport` header value (base64url of
 * the credential's JSON) or the credential object. For many passports, reuse
 * {@link createPassportVerifier} so that keys and status lists stay cached.
 *
 * @throws {GrantexTokenError} with a stable `code` (see `GrantexTokenErrorCode`).
 */
export function verifyPassport(passport: unknown, options: VerifyPassportOptions): Promise<VerifiedPassport> {
  const { category, amount, currentDate, ...verifierOptions } = options;
  const call: VerifyPassportCallOptions = {};
  if (category !== undefined) call.category = category;
  if (amount !== undefined) call.amount = amount;
  if (currentDate !== undefined) call.currentDate = currentDate;
  return createPassportVerifier(verifierOptions).verify(passport, call);
}

function decode(passport: unknown, maxLength: number): unknown {
  if (typeof passport === 'object' && passport !== null) return passport;
  if (typeof passport !== 'string')
    throw new GrantexTokenError('malformed', 'a passport is a base64url string or an object');
  if (passport.length === 0 || passport.length > maxLength)
    throw new GrantexTokenError('malformed', `an encoded passport has 1 to ${maxLength} characters`);
  // base64urlToText refuses anything but canonical base64url, and ill-formed UTF-8.
  try {
    return JSON.parse(base64urlToText(passport)) as unknown;
  } catch (cause) {
    throw new GrantexTokenError('malformed', 'the passport is not base64url of UTF-8 JSON', { cause });
  }
}

function checkAmount(
  amount: number | { amount: number; currency: string },
  max: { amount: number; currency: string },
): void {
  const value = typeof amount === 'number' ? amount : amount.amount;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new GrantexTokenError('invalid_options', '"amount" must be a non-negative number');
  if (typeof amount === 'object' && amount.currency !== max.currency)
    throw new GrantexTokenError('limit_exceeded', `the passport is limited to ${max.currency}`);
  if (value > max.amount)
    throw new GrantexTokenError('limit_exceeded', "the amount is above the passport's maxTransactionAmount");
}
