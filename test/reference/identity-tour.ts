/**
 * Every identity operation through the SDK, in an order where each call has
 * what it needs. Used against the reference server (identity-sdk.test.ts) and,
 * by hand, against another server (`npx tsx test/reference/identity-tour.ts URL`).
 * Each step records the status it got: a success, or an error status the
 * operation documents. An answer the SDK refuses (INVALID_RESPONSE) fails.
 */
import { createHash, createPrivateKey, sign } from 'node:crypto';
import { Grantex, GrantexApiError, verifyPassport } from '../../src/index.js';

/** One offline audit entry, hash-chained from the genesis and signed with the bundle's key. */
function offlineEntry(agentId: string, grantToken: string, privateKeyPem: string) {
  const grantId = JSON.parse(Buffer.from(grantToken.split('.')[1] ?? '', 'base64url').toString('utf8')).grnt as string;
  const entry = {
    seq: 1,
    timestamp: new Date().toISOString(),
    action: 'calendar.read',
    agentDID: `did:grantex:${agentId}`,
    grantId,
    scopes: ['calendar:read'],
    result: 'success',
    metadata: { n: 1 },
    prevHash: '0000000000000000',
  };
  const h = createHash('sha256');
  for (const part of [
    String(entry.seq),
    entry.timestamp,
    entry.action,
    entry.agentDID,
    entry.grantId,
    entry.scopes.join(','),
    entry.result,
    JSON.stringify(entry.metadata),
  ])
    h.update(`${part}|`);
  h.update(entry.prevHash);
  const hash = h.digest('hex');
  const signature = sign(null, Buffer.from(hash, 'utf8'), createPrivateKey(privateKeyPem)).toString('hex');
  return { ...entry, hash, signature };
}

export interface Step {
  operationId: string;
  status: number | 'skipped';
  note?: string;
}

/** Runs a step, recording its status; `expected` lists the error statuses it may answer. */
async function step<T>(
  steps: Step[],
  operationId: string,
  expected: number[],
  call: () => Promise<T>,
): Promise<T | undefined> {
  try {
    const value = await call();
    steps.push({ operationId, status: 200 });
    return value;
  } catch (error) {
    if (error instanceof GrantexApiError && expected.includes(error.statusCode)) {
      steps.push({ operationId, status: error.statusCode, note: error.code });
      return undefined;
    }
    throw error;
  }
}

/** Calls every identity operation once; `outside` names the operations not to call (they need a service the server cannot reach). */
export async function identityTour(baseUrl: string, outside: ReadonlySet<string> = new Set()): Promise<Step[]> {
  const steps: Step[] = [];
  const { apiKey } = await Grantex.signup({ name: 'identity tour', mode: 'sandbox' }, { baseUrl });
  const g = new Grantex({ apiKey, baseUrl, maxRetries: 0 });
  const scopes = ['calendar:read', 'payments:mpp:inference'];
  const agent = await g.agents.create({ name: 'tour agent', scopes });
  const grantOf = async (principal: string) => {
    const { code } = await g.authorize({ agentId: agent.agentId, userId: principal, scopes });
    return g.tokens.exchange({ code: code ?? '', agentId: agent.agentId });
  };
  const grant = await grantOf('user_tour');

  const did = await step(steps, 'didGet', [], () => g.did.get());
  const issued = await step(steps, 'passportsIssue', [], () =>
    g.passports.issue({
      agentId: agent.agentId,
      grantId: grant.grantId,
      allowedMPPCategories: ['inference'],
      maxTransactionAmount: { amount: 10, currency: 'USDC' },
      expiresIn: '1h',
    }),
  );
  if (issued === undefined || did === undefined) throw new Error('no passport to continue with');
  await verifyPassport(issued.encodedCredential, {
    trustedIssuers: [did.id],
    didDocuments: { [did.id]: did },
    statusList: { allowedOrigins: [new URL(baseUrl).origin] },
    category: 'inference',
    amount: 10,
  });
  await step(steps, 'passportsList', [], () => g.passports.list({ agentId: agent.agentId }));
  await step(steps, 'passportsGet', [], () => g.passports.get(issued.passportId));
  const listUrl = new URL(issued.credential.credentialStatus.statusListCredential);
  await step(steps, 'credentialsList', [], () => g.credentials.list());
  await step(steps, 'credentialsGet', [404], () => g.credentials.get(issued.passportId));
  await step(steps, 'credentialsVerify', [], () =>
    g.credentials.verify({ credential: issued.credential.proof.proofValue }),
  );
  await step(steps, 'credentialsStatus', [], () => g.credentials.status(listUrl.pathname.split('/').pop() ?? ''));
  await step(steps, 'credentialsPresent', [], () =>
    g.credentials.present({ sdJwt: `${issued.credential.proof.proofValue}~` }),
  );
  await step(steps, 'passportsRevoke', [], () => g.passports.revoke(issued.passportId));

  const org = `did:web:tour-${Date.now().toString(36)}.example.com`;
  await step(steps, 'registryRegisterOrg', [], () => g.registry.registerOrg({ did: org, name: 'Tour Org' }));
  await step(steps, 'registryListOrgs', [], () => g.registry.listOrgs());
  await step(steps, 'registryGetOrg', [], () => g.registry.getOrg(org));
  await step(steps, 'registryOrgJwks', [], () => g.registry.orgJwks(org));
  await step(steps, 'registryLegacyList', [], () => g.registry.legacyList());
  await step(steps, 'registryLegacyGet', [], () => g.registry.legacyGet(org));
  await step(steps, 'registryVerifyOrgDns', [404], () => g.registry.verifyOrgDns('treg_00000000000000000000000000'));
  if (!outside.has('registryLegacyVerifyDns'))
    await step(steps, 'registryLegacyVerifyDns', [400], () => g.registry.legacyVerifyDns({ domain: org.slice(8) }));
  else steps.push({ operationId: 'registryLegacyVerifyDns', status: 'skipped', note: 'needs public DNS' });

  const bundle = await step(steps, 'bundlesCreate', [], () =>
    g.bundles.create({ agentId: agent.agentId, userId: 'user_offline', scopes: ['calendar:read'], offlineTTL: '24h' }),
  );
  if (bundle === undefined) throw new Error('no bundle to continue with');
  await step(steps, 'bundlesList', [], () => g.bundles.list({ limit: 5 }));
  await step(steps, 'bundlesGet', [], () => g.bundles.get(bundle.bundleId));
  await step(steps, 'bundlesAudit', [], () => g.bundles.audit(bundle.bundleId));
  await step(steps, 'bundlesRevocationStatus', [], () => g.bundles.revocationStatus(bundle.bundleId));
  const entry = offlineEntry(agent.agentId, bundle.grantToken, bundle.offlineAuditKey.privateKey);
  const synced = await step(steps, 'bundlesSyncAudit', [], () =>
    g.bundles.syncAudit({ bundleId: bundle.bundleId, entries: [entry] }),
  );
  if (synced?.accepted !== 1) throw new Error(`the signed offline entry was not accepted: ${JSON.stringify(synced)}`);
  const audit = await g.bundles.audit(bundle.bundleId);
  if (audit.entries.length !== 1) throw new Error('the synced entry is not in the bundle audit');
  await step(steps, 'bundlesRefresh', [], () => g.bundles.refresh(bundle.bundleId));
  await step(steps, 'bundlesRevoke', [], () => g.bundles.revoke(bundle.bundleId, { revokeGrant: false }));

  const second = await grantOf('user_tour');
  const session = await step(steps, 'principalCreateSession', [], () =>
    g.principal.createSession({ principalId: 'user_tour', expiresIn: '10m' }),
  );
  if (session === undefined) throw new Error('no session to continue with');
  await step(steps, 'principalGrants', [], () => g.principal.grants(session.sessionToken));
  await step(steps, 'principalAudit', [], () => g.principal.audit(session.sessionToken));
  await step(steps, 'principalRevokeGrant', [], () => g.principal.revokeGrant(session.sessionToken, second.grantId));

  const options = await step(steps, 'webauthnRegisterOptions', [], () =>
    g.webauthn.registerOptions({ principalId: 'user_tour' }),
  );
  const fake = { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { clientDataJSON: 'e30' } };
  await step(steps, 'webauthnRegisterVerify', [400, 500], () =>
    g.webauthn.registerVerify({ challengeId: options?.challengeId ?? 'wac_x', response: fake }),
  );
  await step(steps, 'webauthnListCredentials', [], () => g.webauthn.listCredentials({ principalId: 'user_tour' }));
  await step(steps, 'webauthnDeleteCredential', [404], () =>
    g.webauthn.deleteCredential('wac_00000000000000000000000000'),
  );
  await step(steps, 'webauthnAssertOptions', [400, 404], () =>
    g.webauthn.assertOptions({ authRequestId: 'areq_00000000000000000000000000' }),
  );
  await step(steps, 'webauthnAssertVerify', [400], () =>
    g.webauthn.assertVerify({ challengeId: 'wac_x', response: fake }),
  );

  await step(steps, 'domainsList', [], () => g.domains.list());
  await step(steps, 'domainsAdd', [402], () =>
    g.domains.add({ domain: `tour-${Date.now().toString(36)}.example.com` }),
  );
  await step(steps, 'domainsVerify', [404], () => g.domains.verify('dom_00000000000000000000000000'));
  await step(steps, 'domainsDelete', [404], () => g.domains.delete('dom_00000000000000000000000000'));

  await step(steps, 'accountGet', [], () => g.account.get());
  await step(steps, 'accountUpdate', [], () => g.account.update({ fidoRpName: 'Tour' }));
  await step(steps, 'accountRequestEmailVerification', [], () =>
    g.account.requestEmailVerification({ email: 'tour@example.com' }),
  );
  await step(steps, 'accountConfirmEmail', [404], () => g.account.confirmEmail('00000000-0000-4000-8000-000000000000'));
  const rotated = await step(steps, 'accountRotateKey', [], () => g.account.rotateKey());
  if (rotated !== undefined) await new Grantex({ apiKey: rotated.apiKey, baseUrl }).account.get();
  return steps;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const baseUrl = process.argv[2];
  if (baseUrl === undefined) throw new Error('usage: npx tsx test/reference/identity-tour.ts BASE_URL');
  const steps = await identityTour(baseUrl, new Set(['registryLegacyVerifyDns']));
  for (const s of steps) console.log(`${s.operationId.padEnd(34)} ${s.status}${s.note ? ` ${s.note}` : ''}`);
  console.log(`${steps.length} operations, ${new Set(steps.map((s) => s.operationId)).size} distinct`);
}
