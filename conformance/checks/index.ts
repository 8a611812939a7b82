/**
 * @module checks
 * The registry: every check of the suite, in the order they run.
 */
import type { Check } from '../engine/check.js';
import { anomalyChecks } from './anomalies.js';
import { auditChecks } from './audit.js';
import { authChecks } from './auth.js';
import { billingChecks } from './billing.js';
import { complianceChecks } from './compliance.js';
import { contractChecks } from './contract.js';
import { delegationChecks } from './delegation.js';
import { fuzzChecks } from './fuzz.js';
import { lifecycleChecks } from './lifecycle.js';
import { policyChecks } from './policies.js';
import { scimChecks } from './scim.js';
import { ssoChecks } from './sso.js';
import { tokenChecks } from './tokens/index.js';
import { webhookChecks } from './webhooks.js';
import { didChecks } from './did.js';
import { passportChecks } from './passports.js';
import { registryChecks } from './registry.js';

export const ALL_CHECKS: readonly Check[] = [
  ...contractChecks,
  ...authChecks,
  ...tokenChecks,
  ...delegationChecks,
  ...lifecycleChecks,
  ...auditChecks,
  ...policyChecks,
  ...webhookChecks,
  ...scimChecks,
  ...ssoChecks,
  ...anomalyChecks,
  ...complianceChecks,
  ...billingChecks,
  ...didChecks,
  ...passportChecks,
  ...registryChecks,
  // Last: the fuzzer leaves what it created (policies too) until the cleanup.
  ...fuzzChecks,
];
