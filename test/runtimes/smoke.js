// The smoke program of the runtime matrix (test/runtimes/run.ts): what the
// installed package must do on every runtime it supports. Plain JavaScript, no
// runtime-specific API: each runtime's driver imports it and passes the
// reference server's URL and the real vectors (test/vectors).
import {
  computeCodeChallenge,
  generatePkce,
  Grantex,
  verifyAuditChain,
  verifyCodeChallenge,
  verifyGrantToken,
  verifyWebhook,
} from 'grantex';

/** Runs every step; resolves to `[{ step, ok, detail }]`, never rejects. */
export async function smoke({ baseUrl, vectors }) {
  const { grant, delegated, jwks, audit, webhook } = vectors;
  // The tokens expired after capture: verify them at a time inside their lifetime.
  const captured = new Date('2026-11-28T13:00:00Z');
  const results = [];
  const step = async (name, run) => {
    try {
      results.push({ step: name, ok: true, detail: await run() });
    } catch (error) {
      results.push({ step: name, ok: false, detail: `${error?.name}: ${error?.message}` });
    }
  };
  const expect = (condition, message) => {
    if (!condition) throw new Error(message);
  };

  await step('pkce', async () => {
    const pair = await generatePkce();
    expect(await verifyCodeChallenge(pair.codeVerifier, pair.codeChallenge), 'a fresh pair does not verify');
    expect(
      (await computeCodeChallenge(grant.codeVerifier)) === grant.request.codeChallenge,
      'the vector challenge differs',
    );
    return `S256, ${pair.codeVerifier.length}-char verifier`;
  });

  await step('grant token', async () => {
    const verified = await verifyGrantToken(grant.response.grantToken, {
      jwks,
      currentDate: captured,
      audience: grant.request.audience,
    });
    expect(verified.grantId === grant.response.grantId, `grant ${verified.grantId}`);
    return verified.scopes.join(' ');
  });

  await step('delegated token', async () => {
    const verified = await verifyGrantToken(delegated.response.grantToken, { jwks, currentDate: captured });
    expect(
      verified.delegationDepth === 1 && verified.parentGrantId === grant.response.grantId,
      'not delegated from the vector grant',
    );
    return `depth ${verified.delegationDepth}`;
  });

  await step('webhook', async () => {
    const signedAt = new Date(Number(webhook.headers['x-grantex-timestamp']) * 1000);
    const event = await verifyWebhook({
      payload: webhook.body,
      headers: webhook.headers,
      secret: webhook.secret,
      now: signedAt,
    });
    expect(event.id === JSON.parse(webhook.body).id, `event ${event.id}`);
    return event.type;
  });

  await step('audit chain', async () => {
    const intact = await verifyAuditChain(audit.entries);
    expect(intact.valid, `the vector chain breaks: ${JSON.stringify(intact)}`);
    const tampered = audit.entries.map((entry, i) => (i === 1 ? { ...entry, action: 'tampered' } : entry));
    expect(!(await verifyAuditChain(tampered)).valid, 'a tampered chain verifies');
    return `${audit.entries.length} entries intact, tampering caught`;
  });

  await step('client call', async () => {
    const { apiKey } = await Grantex.signup({ name: 'Runtime smoke', mode: 'sandbox' }, { baseUrl });
    const client = new Grantex({ apiKey, baseUrl });
    try {
      const agent = await client.agents.create({ name: 'Smoke agent', scopes: ['calendar:read'] });
      const request = await client.authorize({
        agentId: agent.agentId,
        userId: 'user_smoke',
        scopes: ['calendar:read'],
      });
      const token = await client.tokens.exchange({ code: request.code, agentId: agent.agentId });
      const verified = await verifyGrantToken(token.grantToken, { jwksUri: `${baseUrl}/.well-known/jwks.json` });
      expect(verified.agentDid === `did:grantex:${agent.agentId}`, `agent ${verified.agentDid}`);
      return 'signup, agent, authorize, exchange, remote JWKS';
    } finally {
      await client.close();
    }
  });

  return results;
}
