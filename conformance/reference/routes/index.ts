/**
 * @module routes
 * Every operation's handler, in one table the compiler checks for completeness.
 */
import type { Handlers } from '../context.js';
import { agentHandlers } from './agents.js';
import { anomalyHandlers } from './anomalies.js';
import { auditHandlers } from './audit.js';
import { authorizeHandlers } from './authorize.js';
import { billingHandlers } from './billing.js';
import { complianceHandlers } from './compliance.js';
import { grantHandlers } from './grants.js';
import { policyHandlers } from './policies.js';
import { scimHandlers } from './scim.js';
import { ssoHandlers } from './sso.js';
import { systemHandlers } from './system.js';
import { tokenHandlers } from './tokens.js';
import { webhookHandlers } from './webhooks.js';
import { accountHandlers } from './account.js';
import { bundleHandlers } from './bundles.js';
import { credentialHandlers } from './credentials.js';
import { didHandlers } from './did.js';
import { domainHandlers } from './domains.js';
import { passportHandlers } from './passports.js';
import { principalHandlers } from './principal.js';
import { registryHandlers } from './registry.js';
import { webauthnHandlers } from './webauthn.js';
import { budgetHandlers } from './budgets.js';
import { usageHandlers } from './usage.js';
import { eventHandlers } from './events.js';
import { vaultHandlers } from './vault.js';
import { anomalyOperationHandlers } from './anomalies.js';
import { policySyncHandlers } from './policies.js';
import { ssoConnectionHandlers } from './sso-connections.js';
import { billingWebhookHandlers } from './billing.js';
import { dpdpHandlers } from './dpdp.js';
import { mcpHandlers } from './mcp.js';

export const handlers: Handlers = {
  ...systemHandlers,
  ...agentHandlers,
  ...authorizeHandlers,
  ...tokenHandlers,
  ...grantHandlers,
  ...auditHandlers,
  ...policyHandlers,
  ...webhookHandlers,
  ...anomalyHandlers,
  ...complianceHandlers,
  ...billingHandlers,
  ...scimHandlers,
  ...ssoHandlers,
  ...accountHandlers,
  ...bundleHandlers,
  ...credentialHandlers,
  ...didHandlers,
  ...domainHandlers,
  ...passportHandlers,
  ...principalHandlers,
  ...registryHandlers,
  ...webauthnHandlers,
  ...budgetHandlers,
  ...usageHandlers,
  ...eventHandlers,
  ...vaultHandlers,
  ...anomalyOperationHandlers,
  ...policySyncHandlers,
  ...ssoConnectionHandlers,
  ...billingWebhookHandlers,
  ...dpdpHandlers,
  ...mcpHandlers,
};
