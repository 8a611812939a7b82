// Fault probes for the integrity data, checked with the independent oracles.
import type { Api } from './helpers.js';
import { oracleAuditHash, oracleWebhookSignatures } from './oracle.js';
import { startReceiver } from './receiver.js';

/** True when audit entry hashes are the SHA-256 of their canonical content. */
export async function auditHashProbe(api: Api): Promise<boolean> {
  const { key } = await api.developer();
  const res = await api.post(
    '/v1/audit/log',
    {
      agentId: 'ag_1',
      agentDid: 'did:grantex:ag_1',
      grantId: 'grnt_1',
      principalId: 'p',
      action: 'x',
      metadata: { b: 1, a: [2] },
    },
    key,
  );
  return res.status === 201 && res.body.hash === oracleAuditHash(res.body);
}

/** True when a webhook delivery carries correct legacy and V2 signatures. */
export async function webhookSignatureProbe(api: Api): Promise<boolean> {
  const receiver = await startReceiver();
  const { key } = await api.developer();
  const hook = await api.post('/v1/webhooks', { url: receiver.url, events: ['grant.created'] }, key);
  await api.grant(key, await api.agent(key));
  const [delivery] = await receiver.waitFor(1);
  if (delivery === undefined) return false;
  const timestamp = String(delivery.headers['x-grantex-timestamp']);
  const expected = oracleWebhookSignatures(hook.body.secret, timestamp, delivery.body);
  return (
    delivery.headers['x-grantex-signature'] === expected.legacy &&
    delivery.headers['x-grantex-signature-v2'] === expected.v2
  );
}
