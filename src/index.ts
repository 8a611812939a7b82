/**
 * @module grantex
 * The public entry point: the `Grantex` client, its errors and types, and the
 * standalone integrity helpers.
 */
export { Grantex, type GrantexOptions, type SignupOptions } from './client.js';
export type { AttemptRecord, Logger, LogLevel } from './core/log.js';
export type { Middleware } from './core/middleware.js';
export {
  GrantexError,
  GrantexApiError,
  GrantexBadRequestError,
  GrantexAuthError,
  GrantexAuthenticationError,
  GrantexPermissionDeniedError,
  GrantexNotFoundError,
  GrantexConflictError,
  GrantexUnprocessableEntityError,
  GrantexValidationError,
  GrantexRateLimitError,
  GrantexInternalServerError,
  GrantexRedirectError,
  GrantexNetworkError,
  GrantexTimeoutError,
  GrantexAbortError,
  GrantexConfigError,
  type ApiErrorDetails,
  type ErrorCodeFor,
  type RateLimit,
} from './core/errors.js';
export { ApiPromise, type ApiResult } from './core/response.js';
export {
  DEFAULT_MAX_PAGES,
  GrantexPaginationError,
  ListPromise,
  type GrantexPaginationErrorCode,
  type ListOptions,
  type Page,
  type PageControls,
} from './core/pagination.js';
export { GrantexInvalidArgumentError } from './core/argument-error.js';
export type { OperationId, QueryParams, RequestBody, RequestOptions, ResponseBody } from './types.js';
export type { AuthorizeParams } from './resources/root.js';
export type { Agents } from './resources/agents.js';
export type { Anomalies } from './resources/anomalies.js';
export type { Audit } from './resources/audit.js';
export type { Billing } from './resources/billing.js';
export type { Compliance } from './resources/compliance.js';
export type { Consent } from './resources/consent.js';
export type { Grants } from './resources/grants.js';
export type { Policies } from './resources/policies.js';
export type { Sandbox } from './resources/sandbox.js';
export type { Scim } from './resources/scim.js';
export type { Sso } from './resources/sso.js';
export type { Tokens } from './resources/tokens.js';
export type { Webhooks } from './resources/webhooks.js';
export type { Budgets, DebitOptions } from './resources/budgets.js';
export type { Usage } from './resources/usage.js';
export {
  GrantexStreamError,
  type DroppedEvent,
  type Events,
  type GrantexStreamErrorCode,
  type StreamEvent,
  type StreamOptions,
} from './resources/events.js';
export type { Vault } from './resources/vault.js';
export type { Dpdp } from './resources/dpdp.js';
export type { Mcp } from './resources/mcp.js';
export type { components, operations, paths, webhooks } from '../generated/schema.js';
export type * from '../generated/models.js';
export type { DocumentedErrorCodes } from '../generated/error-codes.js';
export { VERSION } from './version.js';
export * from './integrity/index.js';
export {
  createEnforcer,
  type EnforceDecision,
  type Enforcer,
  type EnforcerOptions,
  type EnforceReason,
} from './enforce/enforce.js';
export {
  GrantexManifestError,
  isPermission,
  parseManifest,
  PERMISSIONS,
  permissionCovers,
  TOOL_MANIFEST_SCHEMA,
  type Permission,
  type ToolManifest,
  type ToolRequirement,
} from './enforce/manifest.js';
export { manifestFromOpenApi, type ManifestFromOpenApiOptions } from './enforce/openapi.js';
