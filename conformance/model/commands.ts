/**
 * @module model/commands
 * The commands of the grant-lifecycle model: authorize, exchange, refresh,
 * delegate, revoke grant, revoke token, verify online, verify offline and
 * audit log. Each one runs against the server, asserts what the model says
 * the answer must be, then updates the model. `toString()` makes a failing
 * sequence read as a short story.
 */
import fc from 'fast-check';
import { CheckFailure, expectThat, show } from '../engine/check.js';
import { computeAuditHash, type AuditEntry } from '../engine/integrity.js';
import { expectStatus } from '../engine/session/expect.js';
import { sameSet, verifyOffline } from '../checks/tokens/assertions.js';
import {
  grantRevoked,
  HARD_DEPTH_CAP,
  pick,
  revokeGrant,
  SEED_SCOPES,
  tokenValid,
  type LifecycleModel,
  type LifecycleReal,
} from './model.js';

type Command = fc.AsyncCommand<LifecycleModel, LifecycleReal>;

const MAX_CODES = 3;

function nowS(): number {
  return Math.floor(Date.now() / 1000);
}

class Authorize implements Command {
  constructor(readonly scopes: string[]) {}
  check(model: Readonly<LifecycleModel>) {
    return model.codes.length < MAX_CODES;
  }
  async run(model: LifecycleModel, real: LifecycleReal) {
    const { session, dev, root } = real;
    const authorized = await session.authorize(dev, {
      agentId: root.agentId,
      principalId: session.principal('model'),
      scopes: this.scopes,
    });
    expectStatus(authorized, 201, 'POST /v1/authorize');
    const { code } = await session.approve(dev, authorized);
    model.codes.push({ code, scopes: this.scopes, used: false });
  }
  toString() {
    return `Authorize(${this.scopes.join(' ')})`;
  }
}

class Exchange implements Command {
  constructor(readonly at: number) {}
  check(model: Readonly<LifecycleModel>) {
    return model.codes.length > 0;
  }
  async run(model: LifecycleModel, real: LifecycleReal) {
    const { session, dev, root } = real;
    const [entry, index] = pick(model.codes, this.at);
    const exchange = await session.exchange(dev, entry.code, root.agentId);
    if (entry.used) {
      expectStatus(exchange, 400, `exchanging code#${index} again`);
      return;
    }
    expectStatus(exchange, 201, `exchanging code#${index}`);
    entry.used = true;
    const issued = session.issuedFrom(exchange, root, String(decodeSub(exchange.body)));
    expectThat(
      sameSet(issued.claims['scp'] as string[], entry.scopes),
      '`scp` is not the approved scopes',
      show(entry.scopes),
      show(issued.claims['scp']),
    );
    model.grants.push({
      grantId: issued.grantId,
      parent: -1,
      scopes: entry.scopes,
      depth: 0,
      revoked: false,
      agent: root,
      principalId: issued.principalId,
    });
    const grant = model.grants.length - 1;
    model.tokens.push({
      token: issued.grantToken,
      jti: issued.jti,
      grant,
      revoked: false,
      exp: Number(issued.claims['exp']),
    });
    model.refreshes.push({ value: issued.refreshToken, grant, used: false });
  }
  toString() {
    return `Exchange(code#${this.at})`;
  }
}

class Refresh implements Command {
  constructor(readonly at: number) {}
  check(model: Readonly<LifecycleModel>) {
    return model.refreshes.length > 0;
  }
  async run(model: LifecycleModel, real: LifecycleReal) {
    const { session, dev } = real;
    const [entry, index] = pick(model.refreshes, this.at);
    const grant = model.grants[entry.grant]!;
    const exchange = await session.refresh(dev, entry.value, grant.agent.agentId);
    if (entry.used || grantRevoked(model, entry.grant)) {
      expectStatus(exchange, 400, `refreshing with ref#${index} (${entry.used ? 'already used' : 'grant revoked'})`);
      return;
    }
    expectStatus(exchange, 201, `refreshing with ref#${index}`);
    entry.used = true;
    const issued = session.issuedFrom(exchange, grant.agent, grant.principalId);
    expectThat(issued.grantId === grant.grantId, 'refresh changed the grant id', grant.grantId, issued.grantId);
    expectThat(
      sameSet(issued.claims['scp'] as string[], grant.scopes),
      'refresh changed the scopes',
      show(grant.scopes),
      show(issued.claims['scp']),
    );
    if (grant.depth > 0) {
      expectThat(
        issued.claims['delegationDepth'] === grant.depth,
        'a refreshed delegated token lost its delegation depth',
        String(grant.depth),
        show(issued.claims['delegationDepth']),
      );
    }
    model.tokens.push({
      token: issued.grantToken,
      jti: issued.jti,
      grant: entry.grant,
      revoked: false,
      exp: Number(issued.claims['exp']),
    });
    model.refreshes.push({ value: issued.refreshToken, grant: entry.grant, used: false });
  }
  toString() {
    return `Refresh(ref#${this.at})`;
  }
}

class Delegate implements Command {
  constructor(
    readonly at: number,
    readonly mask: boolean[],
  ) {}
  check(model: Readonly<LifecycleModel>) {
    return model.tokens.length > 0;
  }
  async run(model: LifecycleModel, real: LifecycleReal) {
    const { session, dev, subs } = real;
    const [token, index] = pick(model.tokens, this.at);
    const parent = model.grants[token.grant]!;
    let scopes = parent.scopes.filter((_, i) => this.mask[i % this.mask.length]);
    if (scopes.length === 0) scopes = [parent.scopes[0]!];
    const sub = subs[parent.depth % 2]!;
    const exchange = await session.delegate(dev, { parentGrantToken: token.token, subAgentId: sub.agentId, scopes });
    const depth = parent.depth + 1;
    if (grantRevoked(model, token.grant)) {
      expectStatus(exchange, 400, `delegating from tok#${index}, whose grant is revoked`);
      return;
    }
    if (token.revoked && exchange.status === 400) return; // a revoked token may be refused as a parent; the spec only requires it for revoked grants
    if (exchange.status === 403) {
      expectThat(
        model.depthLimit === undefined || depth > model.depthLimit,
        `delegation to depth ${depth} refused though the limit is ${model.depthLimit}`,
        '201',
        '403',
      );
      expectThat(
        depth > model.deepestIssued,
        `delegation to depth ${depth} refused after depth ${model.deepestIssued} was issued`,
        '201',
        '403',
      );
      expectThat(depth > 1, 'the first delegation hop was refused as too deep', '201', '403');
      model.depthLimit = depth - 1;
      return;
    }
    expectStatus(exchange, 201, `delegating from tok#${index} to depth ${depth}`);
    expectThat(
      depth <= HARD_DEPTH_CAP,
      'a delegation went past the hard cap of 10',
      `refused at depth ≤ ${HARD_DEPTH_CAP}`,
      `depth ${depth} issued`,
    );
    expectThat(
      model.depthLimit === undefined || depth <= model.depthLimit,
      `delegation to depth ${depth} issued after depth ${(model.depthLimit ?? 0) + 1} was refused`,
      '403',
      '201',
    );
    model.deepestIssued = Math.max(model.deepestIssued, depth);
    const issued = session.issuedFrom(exchange, sub, parent.principalId);
    expectThat(
      sameSet(issued.claims['scp'] as string[], scopes),
      'the delegated `scp` is not the requested subset',
      show(scopes),
      show(issued.claims['scp']),
    );
    expectThat(
      issued.claims['delegationDepth'] === depth && issued.claims['parentGrnt'] === parent.grantId,
      'the delegated token records the wrong lineage',
      `depth ${depth}, parentGrnt ${parent.grantId}`,
      `depth ${show(issued.claims['delegationDepth'])}, parentGrnt ${show(issued.claims['parentGrnt'])}`,
    );
    expectThat(
      Number(issued.claims['exp']) <= token.exp,
      'the delegated token outlives its parent token',
      `exp ≤ ${token.exp}`,
      show(issued.claims['exp']),
    );
    model.grants.push({
      grantId: issued.grantId,
      parent: token.grant,
      scopes,
      depth,
      revoked: false,
      agent: sub,
      principalId: parent.principalId,
    });
    const grant = model.grants.length - 1;
    model.tokens.push({
      token: issued.grantToken,
      jti: issued.jti,
      grant,
      revoked: false,
      exp: Number(issued.claims['exp']),
    });
    model.refreshes.push({ value: issued.refreshToken, grant, used: false });
  }
  toString() {
    return `Delegate(tok#${this.at}, keep ${this.mask.map((b) => (b ? '1' : '0')).join('')})`;
  }
}

class RevokeGrant implements Command {
  constructor(readonly at: number) {}
  check(model: Readonly<LifecycleModel>) {
    return model.grants.length > 0;
  }
  async run(model: LifecycleModel, real: LifecycleReal) {
    const [grant, index] = pick(model.grants, this.at);
    const exchange = await real.session.revokeGrant(real.dev, grant.grantId);
    if (grantRevoked(model, index)) {
      expectStatus(exchange, 404, `revoking grant#${index}, already revoked`);
      return;
    }
    expectStatus(exchange, 204, `revoking grant#${index}`);
    revokeGrant(model, index);
  }
  toString() {
    return `RevokeGrant(grant#${this.at})`;
  }
}

class RevokeToken implements Command {
  constructor(readonly at: number) {}
  check(model: Readonly<LifecycleModel>) {
    return model.tokens.length > 0;
  }
  async run(model: LifecycleModel, real: LifecycleReal) {
    const [token, index] = pick(model.tokens, this.at);
    const exchange = await real.session.revokeToken(real.dev, token.jti);
    if (token.revoked) {
      expectStatus(exchange, 404, `revoking tok#${index} again`);
      return;
    }
    // A token of a revoked grant may count as revoked already (404) or be revoked now (204).
    expectStatus(exchange, grantRevoked(model, token.grant) ? [204, 404] : [204], `revoking tok#${index}`);
    token.revoked = true;
  }
  toString() {
    return `RevokeToken(tok#${this.at})`;
  }
}

class VerifyOnline implements Command {
  constructor(readonly at: number) {}
  check(model: Readonly<LifecycleModel>) {
    return model.tokens.length > 0;
  }
  async run(model: LifecycleModel, real: LifecycleReal) {
    const [token, index] = pick(model.tokens, this.at);
    const expected = tokenValid(model, index, nowS());
    const valid = await real.session.isValidOnline(real.dev, token.token);
    if (valid !== expected) {
      const grant = model.grants[token.grant]!;
      throw new CheckFailure(
        `tok#${index} verifies ${valid ? 'valid' : 'invalid'} online`,
        `valid: ${expected} (token ${token.revoked ? 'revoked' : 'not revoked'}, grant#${token.grant} at depth ${grant.depth} ${grantRevoked(model, token.grant) ? 'revoked' : 'active'})`,
        `valid: ${valid}`,
      );
    }
  }
  toString() {
    return `VerifyOnline(tok#${this.at})`;
  }
}

class VerifyOffline implements Command {
  constructor(readonly at: number) {}
  check(model: Readonly<LifecycleModel>) {
    return model.tokens.length > 0;
  }
  async run(model: LifecycleModel, real: LifecycleReal) {
    const [token] = pick(model.tokens, this.at);
    // Offline verification cannot see revocation (SPEC §6.4): every unexpired token verifies.
    if (token.exp > nowS() + 5) await verifyOffline(real.session, token.token);
  }
  toString() {
    return `VerifyOffline(tok#${this.at})`;
  }
}

class AuditLog implements Command {
  constructor(readonly at: number) {}
  check(model: Readonly<LifecycleModel>) {
    return model.grants.length > 0;
  }
  async run(model: LifecycleModel, real: LifecycleReal) {
    const [grant] = pick(model.grants, this.at);
    const exchange = await real.session.logAudit(real.dev, grant, {
      action: 'model.step',
      metadata: { depth: grant.depth },
    });
    expectStatus(exchange, 201, 'POST /v1/audit/log');
    const entry = exchange.body as AuditEntry;
    const recomputed = await computeAuditHash(entry).catch(
      (error: unknown) => `(not computable: ${error instanceof Error ? error.message : String(error)})`,
    );
    expectThat(recomputed === entry.hash, 'the audit entry hash does not recompute', recomputed, show(entry.hash));
    if (model.auditHead !== undefined) {
      expectThat(
        entry.prevHash === model.auditHead,
        'the audit entry does not link to the previous one',
        model.auditHead,
        show(entry.prevHash),
      );
    }
    model.auditHead = entry.hash;
  }
  toString() {
    return `AuditLog(grant#${this.at})`;
  }
}

function decodeSub(body: unknown): unknown {
  const token = (body as { grantToken?: string } | undefined)?.grantToken ?? '';
  try {
    return (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { sub?: unknown }).sub;
  } catch {
    return undefined;
  }
}

const index = fc.nat({ max: 30 });

/** The command generators, weighted towards state changes that matter. */
export const lifecycleCommands = [
  fc.subarray(SEED_SCOPES, { minLength: 1 }).map((scopes) => new Authorize(scopes)),
  index.map((at) => new Exchange(at)),
  index.map((at) => new Exchange(at)),
  index.map((at) => new Refresh(at)),
  fc.tuple(index, fc.array(fc.boolean(), { minLength: 4, maxLength: 4 })).map(([at, mask]) => new Delegate(at, mask)),
  fc.tuple(index, fc.array(fc.boolean(), { minLength: 4, maxLength: 4 })).map(([at, mask]) => new Delegate(at, mask)),
  index.map((at) => new RevokeGrant(at)),
  index.map((at) => new RevokeToken(at)),
  index.map((at) => new VerifyOnline(at)),
  index.map((at) => new VerifyOnline(at)),
  index.map((at) => new VerifyOffline(at)),
  index.map((at) => new AuditLog(at)),
];

/**
 * A hand-written story over the seeded model (code#0 used, grant#0, tok#0,
 * ref#0) that touches every rule once, run before the random sequences.
 */
export function scriptedStory(): Command[] {
  return [
    new Authorize(['calendar:read', 'email:send', 'com.example.crm:contacts:write']),
    new Exchange(1),
    new Exchange(1),
    new VerifyOffline(1),
    new Refresh(1),
    new Refresh(1),
    new Delegate(2, [true, false, true, true]),
    new Delegate(3, [true, true, true, true]),
    new VerifyOnline(4),
    new RevokeToken(1),
    new VerifyOnline(1),
    new VerifyOnline(2),
    new RevokeToken(1),
    new AuditLog(1),
    new AuditLog(2),
    new RevokeGrant(1),
    new VerifyOnline(2),
    new VerifyOnline(3),
    new VerifyOnline(4),
    new VerifyOnline(0),
    new Refresh(2),
    new Delegate(2, [true, true, true, true]),
    new RevokeGrant(3),
  ];
}
