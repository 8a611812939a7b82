/**
 * @module integrity
 * The standalone integrity helpers, usable without the API client and on any
 * runtime with Web Crypto and `fetch`: PKCE, offline grant-token
 * verification, webhook signatures and audit-chain verification.
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
  HIGH_STAKES_SCOPES,
  MAX_REVOCATION_AGE,
  type RevocationOptions,
} from './revocation/guard.js';
export { onlineCheck, type OnlineCheck, type OnlineCheckOptions } from './revocation/online.js';
export {
  MemoryRevocationStore,
  type MemoryRevocationStoreOptions,
  type RevocationQuery,
  type RevocationSnapshot,
  type RevocationStore,
} from './revocation/store.js';
export { createRevocationFeed, type RevocationFeed, type RevocationFeedOptions } from './revocation/feed.js';

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
