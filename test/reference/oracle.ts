// Independent test oracles for the reference server's integrity data, written
// from PROTOCOL.md and checked against the real vectors in test/vectors (see
// oracle.test.ts), so the server is not only checked against its own helpers.
import { createHash, createHmac } from 'node:crypto';

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** PROTOCOL.md "Audit trail": SHA-256 over the entry's fields in a fixed order. */
export function oracleAuditHash(e: Record<string, any>): string {
  const text =
    `{"id":${JSON.stringify(e.entryId)},"agentId":${JSON.stringify(e.agentId)},"agentDid":${JSON.stringify(e.agentDid)},` +
    `"grantId":${JSON.stringify(e.grantId)},"principalId":${JSON.stringify(e.principalId)},"developerId":${JSON.stringify(e.developerId)},` +
    `"action":${JSON.stringify(e.action)},"metadata":${canonical(e.metadata)},"timestamp":${JSON.stringify(e.timestamp)},` +
    `"prevHash":${JSON.stringify(e.prevHash)},"status":${JSON.stringify(e.status)}}`;
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** PROTOCOL.md "Webhooks": the legacy and V2 signature headers. */
export function oracleWebhookSignatures(
  secret: string,
  timestamp: string,
  body: string,
): { legacy: string; v2: string } {
  const hmac = (msg: string) => `sha256=${createHmac('sha256', secret).update(msg, 'utf8').digest('hex')}`;
  return { legacy: hmac(body), v2: hmac(`${timestamp}.${body}`) };
}
