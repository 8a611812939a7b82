/**
 * @module domain/operations-state
 * Per-developer state of the smaller operations groups (usage, vault, anomaly
 * alerts, rules and channels, policy bundles, SSO connections and sessions,
 * DPDP records), each kept beside the tenant rather than in store.ts, and the
 * one cross-developer registry (MCP servers).
 */
import type { Store, Tenant } from '../store.js';

/** Records kept per developer and kind; creating past it answers 409 `LIMIT_REACHED` (routes decide). */
export const MAX_RECORDS = 10_000;

export interface UsageDay {
  tokenExchanges: number;
  authorizations: number;
  verifications: number;
}

export interface VaultRecord {
  id: string;
  principalId: string;
  service: string;
  credentialType: string;
  accessToken: string;
  refreshToken: string | null;
  tokenExpiresAt: string | null;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface AlertState {
  status: 'open' | 'acknowledged' | 'resolved';
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  note: string | null;
}

export interface RuleRecord {
  id: string;
  ruleId: string;
  name: string;
  description: string | null;
  condition: Record<string, unknown>;
  severity: 'critical' | 'high' | 'medium' | 'low';
  alertChannels: string[];
  enabled: boolean;
  createdAt: string;
}

export interface ChannelRecord {
  id: string;
  type: 'slack' | 'webhook' | 'email';
  name: string;
  config: Record<string, unknown>;
  severities: ('critical' | 'high' | 'medium' | 'low')[];
  enabled: boolean;
  createdAt: string;
}

export interface BundleRecord {
  id: string;
  format: 'rego' | 'cedar';
  version: string;
  sha256: string;
  fileCount: number;
  active: boolean;
  createdAt: string;
}

export interface ConnectionRecord {
  id: string;
  name: string;
  protocol: 'oidc' | 'saml' | 'ldap';
  status: 'active' | 'inactive' | 'testing';
  /** Protocol fields as given, secrets included (never returned). */
  fields: Record<string, unknown>;
  domains: string[];
  jitProvisioning: boolean;
  enforce: boolean;
  groupAttribute: string | null;
  groupMappings: Record<string, string[]>;
  defaultScopes: string[];
  createdAt: string;
  updatedAt: string;
}

export interface DpdpState {
  notices: Map<
    string,
    { id: string; noticeId: string; version: string; language: string; contentHash: string; createdAt: string }
  >;
  records: Map<string, DpdpRecord>;
  grievances: Map<string, DpdpGrievanceRecord>;
  exports: Map<string, DpdpExportRecord>;
}

export interface DpdpRecord {
  recordId: string;
  grantId: string;
  dataPrincipalId: string;
  purposes: { code: string; description: string }[];
  scopes: string[];
  consentNoticeId: string;
  consentNoticeHash: string;
  status: 'active' | 'withdrawn' | 'erased';
  consentGivenAt: string;
  processingExpiresAt: string;
  accessCount: number;
  withdrawnAt: string | null;
  withdrawnReason: string | null;
}

export interface DpdpGrievanceRecord {
  grievanceId: string;
  dataPrincipalId: string;
  recordId: string | null;
  type: string;
  description: string;
  evidence: Record<string, unknown>;
  referenceNumber: string;
  expectedResolutionBy: string;
  createdAt: string;
}

export interface DpdpExportRecord {
  exportId: string;
  type: string;
  dateFrom: string;
  dateTo: string;
  recordCount: number;
  data: Record<string, unknown>;
  createdAt: string;
}

/** Everything the operations groups keep for one developer. */
export interface OperationsState {
  usage: Map<string, UsageDay>;
  vault: Map<string, VaultRecord>;
  alerts: Map<string, AlertState>;
  rules: Map<string, RuleRecord>;
  channels: Map<string, ChannelRecord>;
  bundles: BundleRecord[];
  connections: Map<string, ConnectionRecord>;
  dpdp: DpdpState;
}

const states = new WeakMap<Tenant, OperationsState>();

export function stateOf(tenant: Tenant): OperationsState {
  let state = states.get(tenant);
  if (state === undefined) {
    state = {
      usage: new Map(),
      vault: new Map(),
      alerts: new Map(),
      rules: new Map(),
      channels: new Map(),
      bundles: [],
      connections: new Map(),
      dpdp: { notices: new Map(), records: new Map(), grievances: new Map(), exports: new Map() },
    };
    states.set(tenant, state);
  }
  return state;
}

export interface McpServerRecord {
  serverId: string;
  developerId: string;
  publisherName: string;
  name: string;
  description: string | null;
  serverUrl: string | null;
  authEndpoint: string | null;
  npmPackage: string | null;
  category: 'productivity' | 'data' | 'compute' | 'payments' | 'communication' | 'other';
  scopes: string[];
  createdAt: string;
}

export interface McpCertificationRecord {
  certificationId: string;
  serverId: string;
  developerId: string;
  requestedLevel: 'bronze' | 'silver' | 'gold';
  createdAt: string;
}

/** The public registry: servers of every developer, newest last. */
export interface McpRegistry {
  servers: McpServerRecord[];
  certifications: Map<string, McpCertificationRecord>;
}

const registries = new WeakMap<Store, McpRegistry>();

export function registryOf(store: Store): McpRegistry {
  let registry = registries.get(store);
  if (registry === undefined) {
    registry = { servers: [], certifications: new Map() };
    registries.set(store, registry);
  }
  return registry;
}

/** Refuses to add past {@link MAX_RECORDS}. */
export function roomFor(size: number): boolean {
  return size < MAX_RECORDS;
}
