/**
 * @module fuzz/pool
 * The resources the fuzzer's requests name: created for the run under the
 * fuzzing developer (an agent, a grant with its tokens, a policy, a webhook
 * that points at the loopback discard port, a SCIM token and user), each
 * tracked for deletion. Path ids are drawn from these or are unknown ids;
 * nothing else on the server is ever named.
 */
import { CheckFailure, CheckSkipped } from '../engine/failures.js';
import type { Credential, Exchange } from '../http/http.js';
import { decodeToken } from '../engine/session/expect.js';
import type { Developer } from '../engine/session/types.js';
import type { Session } from '../engine/session/session.js';

/** Values a request may name, by the parameter or member name that carries them. */
export type Pool = Partial<Record<PoolKey, string>> & { scim?: Credential };

export type PoolKey =
  | 'agentId'
  | 'agentDid'
  | 'grantId'
  | 'grantToken'
  | 'refreshToken'
  | 'jti'
  | 'authRequestId'
  | 'principalId'
  | 'policyId'
  | 'webhookId'
  | 'scimTokenId'
  | 'scimVictimTokenId'
  | 'scimUserId'
  | 'entryId'
  | 'developerId';

/** Which pool value a path parameter or body/query member names. */
export const POOL_BY_NAME: Record<string, PoolKey> = {
  agentId: 'agentId',
  subAgentId: 'agentId',
  agentDid: 'agentDid',
  grantId: 'grantId',
  token: 'grantToken',
  parentGrantToken: 'grantToken',
  refreshToken: 'refreshToken',
  jti: 'jti',
  authRequestId: 'authRequestId',
  principalId: 'principalId',
  policyId: 'policyId',
  webhookId: 'webhookId',
  // The SCIM token the fuzzer may revoke is not the one its SCIM requests (and cleanup) use.
  tokenId: 'scimVictimTokenId',
  userId: 'scimUserId',
  entryId: 'entryId',
  org: 'developerId',
};

/** Where deliveries to the fuzzer's webhook go: the discard port of the server's own loopback address. */
export const DISCARD_URL = 'https://127.0.0.1:9/gxc-fuzz';

async function step(notes: string[], what: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (error instanceof CheckSkipped) throw error; // budget spent or a long rate limit: the caller stops
    notes.push(
      `no ${what} in the fuzzing pool: ${error instanceof CheckFailure ? `${error.message} (${error.observed})` : error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function expect201(exchange: Exchange, what: string): Record<string, unknown> {
  if (exchange.status !== 201 || typeof exchange.body !== 'object' || exchange.body === null) {
    throw new CheckFailure(`${what} → ${exchange.status}`, 'status 201', `status ${exchange.status}`);
  }
  return exchange.body as Record<string, unknown>;
}

/** Creates the pool under `dev`; what cannot be made is left out, with a note. */
export async function createPool(session: Session, dev: Developer, notes: string[]): Promise<Pool> {
  const pool: Pool = {};
  if (dev.id) pool.developerId = dev.id;
  const agent = await session.createAgent(dev, 'fuzz');
  pool.agentId = agent.agentId;
  pool.agentDid = agent.did;
  pool.developerId ??= agent.developerId;
  await step(notes, 'grant', async () => {
    const principalId = session.principal('fuzz');
    const authorized = await session.authorize(dev, { agentId: agent.agentId, principalId, scopes: ['calendar:read'] });
    const body = expect201(authorized, 'POST /v1/authorize');
    pool.authRequestId = String(body['authRequestId']);
    pool.principalId = principalId;
    const { code } = await session.approve(dev, authorized);
    const issued = expect201(await session.exchange(dev, code, agent.agentId), 'POST /v1/token');
    pool.grantId = String(issued['grantId']);
    pool.grantToken = String(issued['grantToken']);
    pool.refreshToken = String(issued['refreshToken']);
    pool.jti = String(decodeToken(pool.grantToken).claims['jti'] ?? '');
    session.http.registerSecret(pool.grantToken, 'GRANT_TOKEN');
    session.http.registerSecret(pool.refreshToken, 'REFRESH_TOKEN');
  });
  if (session.offers('policies')) {
    await step(notes, 'policy', async () => {
      const body = expect201(
        await session.request(dev, {
          method: 'POST',
          path: '/v1/policies',
          json: {
            name: session.name('fuzz policy'),
            effect: 'allow',
            agentId: agent.agentId,
            principalId: session.principal('fuzz-policy'),
          },
        }),
        'POST /v1/policies',
      );
      const id = String(body['id']);
      pool.policyId = id;
      session.track(`policy ${id}`, () => session.request(dev, { method: 'DELETE', path: `/v1/policies/${id}` }));
    });
  }
  if (session.offers('webhooks')) {
    await step(notes, 'webhook', async () => {
      const body = expect201(
        await session.request(dev, {
          method: 'POST',
          path: '/v1/webhooks',
          json: { url: DISCARD_URL, events: ['grant.revoked'] },
        }),
        'POST /v1/webhooks',
      );
      const id = String(body['id']);
      pool.webhookId = id;
      if (typeof body['secret'] === 'string') session.http.registerSecret(body['secret'], 'WEBHOOK_SECRET');
      session.track(`webhook ${id}`, () => session.request(dev, { method: 'DELETE', path: `/v1/webhooks/${id}` }));
    });
  }
  if (session.offers('scim')) {
    await step(notes, 'SCIM token', async () => {
      const body = expect201(
        await session.request(dev, {
          method: 'POST',
          path: '/v1/scim/tokens',
          json: { label: session.name('fuzz scim') },
        }),
        'POST /v1/scim/tokens',
      );
      const id = String(body['id']);
      pool.scimTokenId = id;
      pool.scim = { label: 'GRANTEX_SCIM_TOKEN', secret: String(body['token']) };
      session.http.registerSecret(pool.scim.secret, pool.scim.label);
      session.track(`SCIM token ${id}`, () =>
        session.request(dev, { method: 'DELETE', path: `/v1/scim/tokens/${id}` }),
      );
      const victim = expect201(
        await session.request(dev, {
          method: 'POST',
          path: '/v1/scim/tokens',
          json: { label: session.name('fuzz scim victim') },
        }),
        'POST /v1/scim/tokens',
      );
      const victimId = String(victim['id']);
      pool.scimVictimTokenId = victimId;
      session.http.registerSecret(String(victim['token']), 'SCIM_TOKEN_2');
      session.track(`SCIM token ${victimId}`, () =>
        session.request(dev, { method: 'DELETE', path: `/v1/scim/tokens/${victimId}` }),
      );
      const scim = pool.scim;
      const user = expect201(
        await session.http.request({
          method: 'POST',
          path: '/scim/v2/Users',
          auth: scim,
          json: { userName: `${session.runId}-fuzz-${session.principal('u').split('-').pop()}@example.test` },
        }),
        'POST /scim/v2/Users',
      );
      const userId = String(user['id']);
      pool.scimUserId = userId;
      // Deleted before the token is (cleanup runs newest first).
      session.track(`SCIM user ${userId}`, () =>
        session.http.request({ method: 'DELETE', path: `/scim/v2/Users/${userId}`, auth: scim }),
      );
    });
  }
  await step(notes, 'audit entry', async () => {
    const list = await session.request(dev, { method: 'GET', path: '/v1/audit/entries' });
    const first = ((list.body as { entries?: Array<{ entryId?: unknown }> } | undefined)?.entries ?? [])[0];
    if (typeof first?.entryId === 'string') pool.entryId = first.entryId;
  });
  return pool;
}
