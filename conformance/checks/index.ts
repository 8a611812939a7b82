/**
 * @module checks
 * The registry: every check of the suite, in the order they run.
 */
import type { Check } from '../engine/check.js';
import { agentStateChecks } from './agent-state.js';
import { anomalyChecks } from './anomalies.js';
import { auditChecks } from './audit.js';
import { authChecks } from './auth.js';
import { billingChecks } from './billing.js';
import { complianceChecks } from './compliance.js';
import { contractChecks } from './contract.js';
import { delegationChecks } from './delegation.js';
import { fuzzChecks } from './fuzz.js';
import { isolationChecks } from './isolation.js';
import { lifecycleChecks } from './lifecycle.js';
import { limitChecks } from './limits.js';
import { policyChecks } from './policies.js';
import { policyConditionChecks } from './policy-conditions.js';
import { scimChecks } from './scim.js';
import { ssoChecks } from './sso.js';
import { tokenChecks } from './tokens/index.js';
import { webhookChecks } from './webhooks.js';

export const ALL_CHECKS: readonly Check[] = [
  ...contractChecks,
  ...limitChecks,
  ...authChecks,
  ...isolationChecks,
  ...tokenChecks,
  ...delegationChecks,
  ...lifecycleChecks,
  ...agentStateChecks,
  ...auditChecks,
  ...policyChecks,
  ...policyConditionChecks,
  ...webhookChecks,
  ...scimChecks,
  ...ssoChecks,
  ...anomalyChecks,
  ...complianceChecks,
  ...billingChecks,
  ...fuzzChecks,
];
