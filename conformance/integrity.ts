/**
 * @module integrity
 * The package's own integrity helpers as the suite uses them: grant tokens are
 * verified with `verifyGrantToken`, audit chains with `verifyAuditChain` and
 * `computeAuditHash`, webhook deliveries with `verifyWebhook`, PKCE pairs come
 * from `generatePkce`. The suite judges servers with the same code its users run.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { components } from '../generated/schema.js';

export { verifyGrantToken } from '../src/verify/grant-token.js';
export { GrantexTokenError } from '../src/verify/errors.js';
export { generatePkce, computeCodeChallenge } from '../src/pkce.js';

export type AuditEntry = components['schemas']['AuditEntry'];

// TEMPORARY until src/audit-chain.ts and src/webhook-signature.ts land: same
// formulas as PROTOCOL.md, to be replaced by re-exports of the src helpers.

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonical(item))).join(',')}]`;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).filter((key) => record[key] !== undefined).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export async function computeAuditHash(entry: AuditEntry): Promise<string> {
  const text = `{"id":${JSON.stringify(entry.entryId)},"agentId":${JSON.stringify(entry.agentId)},"agentDid":${JSON.stringify(entry.agentDid)},"grantId":${JSON.stringify(entry.grantId)},"principalId":${JSON.stringify(entry.principalId)},"developerId":${JSON.stringify(entry.developerId)},"action":${JSON.stringify(entry.action)},"metadata":${canonical(entry.metadata)},"timestamp":${JSON.stringify(entry.timestamp)},"prevHash":${JSON.stringify(entry.prevHash)},"status":${JSON.stringify(entry.status)}}`;
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export async function verifyAuditChain(entries: readonly AuditEntry[]): Promise<{ valid: boolean; brokenAt?: number; reason?: string }> {
  let prev: string | null = null;
  for (const [index, entry] of entries.entries()) {
    if (index > 0 && entry.prevHash !== prev) return { valid: false, brokenAt: index, reason: 'link' };
    if ((await computeAuditHash(entry)) !== entry.hash) return { valid: false, brokenAt: index, reason: 'hash' };
    prev = entry.hash;
  }
  return { valid: true };
}

function same(a: string | undefined, b: string): boolean {
  if (a === undefined || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

export async function verifyWebhook(input: { payload: string; secret: string; signature?: string | undefined; signatureV2?: string | undefined; timestamp?: string | undefined; now?: Date }): Promise<{ legacy: boolean; v2: boolean }> {
  const hmac = (text: string) => `sha256=${createHmac('sha256', input.secret).update(text, 'utf8').digest('hex')}`;
  return {
    legacy: same(input.signature, hmac(input.payload)),
    v2: input.timestamp !== undefined && same(input.signatureV2, hmac(`${input.timestamp}.${input.payload}`)),
  };
}
