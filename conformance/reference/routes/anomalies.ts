/**
 * @module routes/anomalies
 * Anomaly detection over the developer's audit trail and grants, with the
 * four rules of the spec's `AnomalyType`; high-severity findings revoke the
 * agent's active grants (without cascade and without webhooks).
 */
import type { components } from '../../../generated/schema.js';
import type { Handlers } from '../context.js';
import { grantStatus, iso } from '../domain/rules.js';
import { notFound } from '../http/http-error.js';
import { newId } from '../domain/ids.js';
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
