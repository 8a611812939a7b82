/**
 * @module integrity
 * The package's own integrity helpers as the suite uses them: grant tokens are
 * verified with `verifyGrantToken`, audit chains with `verifyAuditChain` and
 * `computeAuditHash`, webhook deliveries with `verifyWebhook` and
 * `verifyWebhookSignature`, PKCE challenges with `computeCodeChallenge`. The
 * suite judges servers with the same code its users run.
 */
export { verifyGrantToken } from '../../src/integrity/verify/grant-token.js';
export { GrantexTokenError } from '../../src/integrity/verify/errors.js';
export { computeCodeChallenge } from '../../src/integrity/pkce.js';
export { computeAuditHash, verifyAuditChain, type AuditEntry } from '../../src/integrity/audit-chain.js';
export { GrantexWebhookError, verifyWebhook, verifyWebhookSignature } from '../../src/integrity/webhook-signature.js';
export { verifyPassport, type VerifiedPassport } from '../../src/integrity/passport/verify-passport.js';
export { assertionKeys, type DidDocument } from '../../src/integrity/did/resolve.js';
