/**
 * @module integrity
 * The standalone integrity helpers, usable without the API client and on any
 * runtime with Web Crypto and `fetch`: PKCE, offline grant-token
 * verification, webhook signatures, audit-chain verification, and the
 * identity helpers: DID resolution, credentials, StatusList2021 and passports.
 */
export {
  computeCodeChallenge,
  generatePkce,
  GrantexPkceError,
  isValidCodeVerifier,
  verifyCodeChallenge,
  type GrantexPkceErrorCode,
  type PkcePair,
} from './pkce.js';

export {
  createGrantVerifier,
  verifyGrantToken,
  type GrantClaimOptions,
  type GrantKeySource,
  type GrantVerifier,
  type GrantVerifierOptions,
  type GrantVerifyCallOptions,
  type Jwks,
  type RemoteJwksOptions,
  type VerifiedGrant,
  type VerifyGrantTokenOptions,
} from './verify/grant-token.js';
export { GrantexTokenError, type GrantexTokenErrorCode } from './verify/errors.js';

export {
  GrantexWebhookError,
  signWebhookPayload,
  verifyWebhook,
  verifyWebhookSignature,
  type GrantexWebhookErrorCode,
  type SignWebhookOptions,
  type VerifyWebhookOptions,
  type WebhookEvent,
  type WebhookHeaders,
  type WebhookSignatureHeaders,
} from './webhook-signature.js';

export {
  computeAuditHash,
  GrantexAuditError,
  verifyAuditChain,
  type AuditChainBreak,
  type AuditChainResult,
  type AuditEntry,
  type VerifyAuditChainOptions,
} from './audit-chain.js';

export {
  assertionKeys,
  createDidResolver,
  didWebUrl,
  resolveDid,
  type DidDocument,
  type DidResolver,
  type DidResolverOptions,
} from './did/resolve.js';

export {
  createStatusListReader,
  type StatusListCredential,
  type StatusListEntry,
  type StatusListReader,
  type StatusListReaderOptions,
} from './credentials/status-list.js';

export {
  verifyCredential,
  verifyPresentation,
  type VerifiedCredential,
  type VerifyCredentialOptions,
  type VerifyPresentationOptions,
} from './credentials/verify-credential.js';

export {
  createPassportVerifier,
  verifyPassport,
  type PassportVerifier,
  type PassportVerifierOptions,
  type VerifiedPassport,
  type VerifyPassportCallOptions,
  type VerifyPassportOptions,
} from './passport/verify-passport.js';
export type { AgentPassportCredential } from './passport/structure.js';
