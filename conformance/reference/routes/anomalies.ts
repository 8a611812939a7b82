/**
 * @module routes/anomalies
 * Anomaly detection over the developer's audit trail and grants, with the
 * four rules of the spec's `AnomalyType`; high-severity findings revoke the
 * agent's active grants (without cascade and without webhooks).
 */
import type { components } from '../../../generated/schema.js';
import type { Handlers } from '../context.js';
import { grantStatus, iso } from '../domain/rules.js';
import { HttpError, notFound } from '../http/http-error.js';
import { type ChannelRecord, roomFor, type RuleRecord, stateOf } from '../domain/operations/state.js';
import { newId } from '../domain/ids.js';
import { forgetOldest, HISTORY_CAPS } from '../domain/limits.js';
import type { AnomalyRecord, Tenant } from '../domain/store.js';

const HOUR_MS = 3_600_000;

type Finding = Omit<AnomalyRecord, 'id' | 'detectedAt' | 'acknowledgedAt'>;

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return out;
}

/** What the four rules find at `nowMs`. */
export function detect(tenant: Tenant, nowMs: number, eager = false): Finding[] {
  const findings: Finding[] = [];
  const since = (ms: number) => tenant.audit.filter((e) => Date.parse(e.timestamp) >= nowMs - ms);
  // The eager-anomalies variant: one action is a spike.
  const threshold = eager ? 0 : 50;
  for (const [agentId, entries] of countBy(since(HOUR_MS), (e) => e.agentId)) {
    if (entries.length > threshold) {
      findings.push({
        type: 'rate_spike',
        severity: 'high',
        agentId,
        principalId: null,
        description: `Agent ${agentId} performed ${entries.length} actions in the last hour (threshold: ${threshold}).`,
        metadata: { count: entries.length, windowHours: 1, threshold },
      });
    }
  }
  const day = since(24 * HOUR_MS);
  for (const [agentId, entries] of countBy(day, (e) => e.agentId)) {
    const bad = entries.filter((e) => e.status !== 'success').length;
    if (entries.length >= 5 && bad / entries.length > 0.2) {
      const pct = Math.round((bad / entries.length) * 100);
      findings.push({
        type: 'high_failure_rate',
        severity: 'medium',
        agentId,
        principalId: null,
        description: `Agent ${agentId} has ${pct}% failure/blocked rate over the last 24 hours (${bad}/${entries.length}).`,
        metadata: { badCount: bad, totalCount: entries.length, percentFailure: pct, windowHours: 24, threshold: 0.2 },
      });
    }
  }
  const grants = [...tenant.grants.values()];
  for (const g of grants) {
    if (g.issuedAt < nowMs - 24 * HOUR_MS) continue;
    const earlier = grants.some(
      (o) => o !== g && o.agentId === g.agentId && o.principalId === g.principalId && o.issuedAt < g.issuedAt,
    );
    if (!earlier) {
      findings.push({
        type: 'new_principal',
        severity: 'low',
        agentId: g.agentId,
        principalId: g.principalId,
        description: `Agent ${g.agentId} received a grant from previously-unseen principal ${g.principalId}.`,
        metadata: { windowHours: 24 },
      });
    }
  }
  const offHours = day.filter((e) => {
    const hour = new Date(e.timestamp).getUTCHours();
    return hour >= 22 || hour < 6;
  });
  for (const [agentId, entries] of countBy(offHours, (e) => e.agentId)) {
    if (entries.length > 10) {
      findings.push({
        type: 'off_hours_activity',
        severity: 'low',
        agentId,
        principalId: null,
        description: `Agent ${agentId} performed ${entries.length} actions outside business hours (22:00–06:00 UTC) in the last 24 hours.`,
        metadata: { count: entries.length, windowHours: 24, threshold: 10 },
      });
    }
  }
  return findings;
}

function present(a: AnomalyRecord): components['schemas']['Anomaly'] {
  return { ...a, metadata: structuredClone(a.metadata) };
}

export const anomalyHandlers = {
  anomaliesDetect: ({ env, tenant }) => {
    const nowMs = env.now();
    const detectedAt = iso(nowMs);
    const found: AnomalyRecord[] = detect(tenant, nowMs, env.variants.has('eager-anomalies')).map((f) => ({
      ...f,
      id: newId('anm', nowMs),
      detectedAt,
      acknowledgedAt: null,
    }));
    for (const [id, a] of tenant.anomalies) if (a.acknowledgedAt === null) tenant.anomalies.delete(id);
    for (const a of found) tenant.anomalies.set(a.id, a);
    forgetOldest(tenant.anomalies, HISTORY_CAPS.anomalies);
    let autoRevoked = 0;
    for (const a of found) {
      if (a.severity !== 'high' || a.agentId === null) continue;
      for (const g of tenant.grants.values()) {
        if (g.agentId === a.agentId && grantStatus(g, nowMs) === 'active') {
          g.status = 'revoked';
          g.revokedAt = nowMs;
          autoRevoked++;
        }
      }
    }
    return {
      status: 200,
      body: { detectedAt, total: found.length, autoRevokedGrants: autoRevoked, anomalies: found.map(present) },
    };
  },

  anomaliesList: ({ env, tenant, query }) => {
    const anomalies = [...tenant.anomalies.values()]
      .filter((a) => query.unacknowledged !== true || a.acknowledgedAt === null)
      .sort((a, b) => b.detectedAt.localeCompare(a.detectedAt))
      .map(present);
    return { status: 200, body: { anomalies: env.variants.order(anomalies), total: anomalies.length } };
  },

  anomaliesAcknowledge: ({ env, tenant, params }) => {
    const anomaly = tenant.anomalies.get(params.anomalyId);
    if (anomaly === undefined) throw notFound('Anomaly not found');
    anomaly.acknowledgedAt = iso(env.now());
    return { status: 200, body: present(anomaly) };
  },
} satisfies Partial<Handlers>;

// Anomaly operations: the anomalies above seen as alerts with a triage status, custom rules and alert channels.

const SEVERITY_OF: Record<AnomalyRecord['severity'], 'low' | 'medium' | 'high'> = {
  low: 'low',
  medium: 'medium',
  high: 'high',
};

function alertOf(tenant: Tenant, a: AnomalyRecord): components['schemas']['AnomalyAlert'] {
  const state = stateOf(tenant).alerts.get(a.id);
  return {
    alertId: a.id,
    ruleId: null,
    ruleName: a.type,
    severity: SEVERITY_OF[a.severity],
    status: state?.status ?? (a.acknowledgedAt === null ? 'open' : 'acknowledged'),
    agentId: a.agentId,
    detectedAt: a.detectedAt,
    description: a.description,
    context: {},
    acknowledgedAt: state?.acknowledgedAt ?? a.acknowledgedAt,
    resolvedAt: state?.resolvedAt ?? null,
  };
}

function triage(tenant: Tenant, alertId: string, status: 'acknowledged' | 'resolved', nowMs: number, note?: string) {
  const anomaly = tenant.anomalies.get(alertId);
  if (anomaly === undefined) throw notFound('Alert not found');
  const alerts = stateOf(tenant).alerts;
  const state = alerts.get(alertId) ?? {
    status: 'open',
    acknowledgedAt: anomaly.acknowledgedAt,
    resolvedAt: null,
    note: null,
  };
  state.status = status;
  if (status === 'acknowledged') {
    state.acknowledgedAt = iso(nowMs);
    anomaly.acknowledgedAt = state.acknowledgedAt;
  } else state.resolvedAt = iso(nowMs);
  if (note !== undefined) state.note = note;
  alerts.set(alertId, state);
  forgetOldest(alerts, HISTORY_CAPS.anomalies);
  return { status: 200 as const, body: alertOf(tenant, anomaly) };
}

/** The server's own rules, listed beside the developer's. */
const BUILT_IN_RULES = [
  {
    ruleId: 'rate_spike',
    name: 'Rate spike',
    severity: 'high',
    description: 'More than 50 actions an hour by one agent',
  },
  {
    ruleId: 'high_failure_rate',
    name: 'High failure rate',
    severity: 'medium',
    description: 'Over 20% failed or blocked actions in 24 hours',
  },
  {
    ruleId: 'new_principal',
    name: 'New principal',
    severity: 'low',
    description: 'A grant from a principal the agent has not seen',
  },
  {
    ruleId: 'off_hours_activity',
    name: 'Off-hours activity',
    severity: 'low',
    description: 'More than 10 actions between 22:00 and 06:00 UTC',
  },
] as const;

export const anomalyOperationHandlers = {
  anomaliesAlerts: ({ tenant, query }) => {
    const alerts = [...tenant.anomalies.values()]
      .map((a) => alertOf(tenant, a))
      .filter((a) => query.status === undefined || a.status === query.status)
      .filter((a) => query.severity === undefined || a.severity === query.severity)
      .filter((a) => query.agentId === undefined || a.agentId === query.agentId)
      .sort((a, b) => b.detectedAt.localeCompare(a.detectedAt))
      .slice(0, query.limit ?? 100);
    return { status: 200, body: { data: alerts } };
  },

  anomaliesAcknowledgeAlert: ({ env, tenant, params, body }) =>
    triage(tenant, params.alertId, 'acknowledged', env.now(), body?.note),

  anomaliesResolveAlert: ({ env, tenant, params, body }) =>
    triage(tenant, params.alertId, 'resolved', env.now(), body?.note),

  anomaliesMetrics: ({ env, tenant, query }) => {
    const window = query.window ?? '24h';
    const since = env.now() - { '1h': 1, '6h': 6, '24h': 24 }[window] * HOUR_MS;
    const alerts = [...tenant.anomalies.values()]
      .filter((a) => Date.parse(a.detectedAt) >= since)
      .filter((a) => query.agentId === undefined || a.agentId === query.agentId)
      .map((a) => alertOf(tenant, a));
    const count = (pick: (a: (typeof alerts)[number]) => boolean) => alerts.filter(pick).length;
    return {
      status: 200,
      body: {
        window,
        total: alerts.length,
        byStatus: {
          open: count((a) => a.status === 'open'),
          acknowledged: count((a) => a.status === 'acknowledged'),
          resolved: count((a) => a.status === 'resolved'),
        },
        bySeverity: {
          critical: count((a) => a.severity === 'critical'),
          high: count((a) => a.severity === 'high'),
          medium: count((a) => a.severity === 'medium'),
          low: count((a) => a.severity === 'low'),
        },
      },
    };
  },

  anomaliesRules: ({ tenant }) => {
    const custom = [...stateOf(tenant).rules.values()]
      .reverse()
      .map((r) => ({ ...structuredClone(r), builtIn: false }));
    const builtIn = BUILT_IN_RULES.map((r) => ({ ...r, builtIn: true, enabled: true }));
    return { status: 200, body: { rules: [...builtIn, ...custom] } };
  },

  anomaliesCreateRule: ({ env, tenant, body }) => {
    const rules = stateOf(tenant).rules;
    if (!roomFor(rules.size)) throw new HttpError(409, 'LIMIT_REACHED', 'Too many rules');
    const nowMs = env.now();
    const rule: RuleRecord = {
      id: newId('arule', nowMs),
      ruleId: body.ruleId,
      name: body.name,
      description: body.description ?? null,
      condition: structuredClone(body.condition),
      severity: body.severity ?? 'medium',
      alertChannels: [...(body.alertChannels ?? [])],
      enabled: true,
      createdAt: iso(nowMs),
    };
    rules.set(rule.id, rule);
    const { createdAt: _, ...created } = rule;
    return { status: 201, body: structuredClone(created) };
  },

  anomaliesDeleteRule: ({ tenant, params }) => {
    if (!stateOf(tenant).rules.delete(params.ruleId)) throw notFound('Rule not found');
    return { status: 204 };
  },

  anomaliesChannels: ({ tenant }) => {
    const channels = [...stateOf(tenant).channels.values()]
      .reverse()
      .map((c) => ({ ...c, config: structuredClone(c.config) }));
    return { status: 200, body: { channels } };
  },

  anomaliesCreateChannel: ({ env, tenant, body }) => {
    const channels = stateOf(tenant).channels;
    if (!roomFor(channels.size)) throw new HttpError(409, 'LIMIT_REACHED', 'Too many channels');
    const nowMs = env.now();
    const channel: ChannelRecord = {
      id: newId('achan', nowMs),
      type: body.type,
      name: body.name,
      config: structuredClone(body.config),
      severities: [...(body.severities ?? ['critical', 'high'])],
      enabled: true,
      createdAt: iso(nowMs),
    };
    channels.set(channel.id, channel);
    return { status: 201, body: { ...channel, config: structuredClone(channel.config) } };
  },

  anomaliesDeleteChannel: ({ tenant, params }) => {
    if (!stateOf(tenant).channels.delete(params.channelId)) throw notFound('Channel not found');
    return { status: 204 };
  },
} satisfies Partial<Handlers>;
