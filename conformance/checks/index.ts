/**
 * @module checks
 * The registry: every check of the suite, in the order they run. A check that
 * can set off a server reaction on shared resources (anomaly detection) runs
 * after the checks that read them.
 */
import type { Check } from '../engine/check.js';
import { agentStateChecks } from './agent-state.js';
import { anomalyChecks } from './anomalies.js';
import { auditChecks } from './audit.js';
import { authChecks } from './auth.js';
import { billingChecks } from './billing.js';
import { complianceChecks } from './compliance.js';
import { consentChecks } from './consent.js';
import { contractChecks } from './contract.js';
import { delegationChecks } from './delegation.js';
import { fuzzChecks } from './fuzz.js';
import { isolationChecks } from './isolation.js';
import { lifecycleChecks } from './lifecycle.js';
import { limitChecks } from './limits.js';
import { policyChecks } from './policies.js';
import { policyConditionChecks } from './policy-conditions.js';
import { policyDenyChecks } from './policy-deny.js';
import { scimChecks } from './scim.js';
import { scopeChecks } from './scopes.js';
import { ssoChecks } from './sso.js';
import { tokenIdChecks } from './token-ids.js';
import { tokenChecks } from './tokens/index.js';
import { webhookChecks } from './webhooks.js';
import { didChecks } from './did.js';
import { passportChecks } from './passports.js';
import { registryChecks } from './registry.js';
import { eventChecks } from './events.js';
import { budgetChecks } from './budgets.js';

export const ALL_CHECKS: readonly Check[] = [
  ...contractChecks,
  ...limitChecks,
  ...authChecks,
  ...consentChecks,
  ...isolationChecks,
  ...tokenChecks,
  ...tokenIdChecks,
  ...scopeChecks,
  ...delegationChecks,
  ...lifecycleChecks,
  ...agentStateChecks,
  ...auditChecks,
  ...policyChecks,
  ...policyDenyChecks,
  ...policyConditionChecks,
  ...webhookChecks,
  ...scimChecks,
  ...ssoChecks,
  ...complianceChecks,
  ...billingChecks,
  ...didChecks,
  ...passportChecks,
  ...registryChecks,
  ...eventChecks,
  ...budgetChecks,
  // Detection may revoke the developer's grants: it runs after every check that reads shared ones.
  ...anomalyChecks,
  // Last: the fuzzer leaves what it created (policies too) until the cleanup.
  ...fuzzChecks,
];
