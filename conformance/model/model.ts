/**
 * @module model/model
 * The model of the grant lifecycle that the model-based check runs against a
 * server: which codes were used, which grants, tokens and refresh tokens
 * exist, and what revocation (cascading down delegation trees) has done, so
 * every command knows what the server must answer.
 */
import type { Agent, Developer } from '../engine/session/types.js';
import type { Session } from '../engine/session/session.js';

/** Scopes of the grant every run starts from: standard and reverse-domain custom ones. */
export const SEED_SCOPES = ['calendar:read', 'email:send', 'files:read', 'com.example.crm:contacts:write'];

export interface CodeEntry {
  code: string;
  scopes: string[];
  used: boolean;
}

export interface GrantEntry {
  grantId: string;
  /** Index of the parent grant, -1 for a root grant. */
  parent: number;
  scopes: string[];
  depth: number;
  revoked: boolean;
  agent: Agent;
  principalId: string;
}

export interface TokenEntry {
  token: string;
  jti: string;
  grant: number;
  revoked: boolean;
  /** Seconds since the epoch. */
  exp: number;
}

export interface RefreshEntry {
  value: string;
  grant: number;
  used: boolean;
}

/** What must be true of the server, as far as the run knows. */
export interface LifecycleModel {
  codes: CodeEntry[];
  grants: GrantEntry[];
  tokens: TokenEntry[];
  refreshes: RefreshEntry[];
  /** Hash of the last audit entry this run wrote, to check the next link. */
  auditHead: string | undefined;
  /** The deepest delegation the server allowed; known once it refuses one. */
  depthLimit: number | undefined;
  /** Deepest delegation it issued so far. */
  deepestIssued: number;
}

/** The system under test and what the commands need to reach it. */
export interface LifecycleReal {
  session: Session;
  dev: Developer;
  root: Agent;
  subs: [Agent, Agent];
}

export function emptyModel(): LifecycleModel {
  return {
    codes: [],
    grants: [],
    tokens: [],
    refreshes: [],
    auditHead: undefined,
    depthLimit: undefined,
    deepestIssued: 0,
  };
}

/** A model holding one freshly issued root grant (its code used, its token and refresh token live). */
export async function seededModel(real: LifecycleReal): Promise<LifecycleModel> {
  const model = emptyModel();
  const issued = await real.session.issue(real.dev, {
    agent: real.root,
    scopes: SEED_SCOPES,
    principalId: real.session.principal('model'),
  });
  model.codes.push({ code: '(used by the seed grant)', scopes: SEED_SCOPES, used: true });
  model.grants.push({
    grantId: issued.grantId,
    parent: -1,
    scopes: SEED_SCOPES,
    depth: 0,
    revoked: false,
    agent: real.root,
    principalId: issued.principalId,
  });
  model.tokens.push({
    token: issued.grantToken,
    jti: issued.jti,
    grant: 0,
    revoked: false,
    exp: Number(issued.claims['exp']),
  });
  model.refreshes.push({ value: issued.refreshToken, grant: 0, used: false });
  return model;
}

/** Revoked directly, or through any ancestor (SPEC §9.2 cascade). */
export function grantRevoked(model: LifecycleModel, index: number): boolean {
  for (let at = index; at >= 0; at = model.grants[at]!.parent) {
    if (model.grants[at]!.revoked) return true;
  }
  return false;
}

/** Marks a grant revoked; descendants read as revoked through {@link grantRevoked}. */
export function revokeGrant(model: LifecycleModel, index: number): void {
  model.grants[index]!.revoked = true;
}

/** Whether the token must verify online now. */
export function tokenValid(model: LifecycleModel, index: number, nowS: number): boolean {
  const token = model.tokens[index]!;
  return !token.revoked && !grantRevoked(model, token.grant) && token.exp > nowS;
}

/** Picks an element by a generated number, so commands stay valid as lists grow. */
export function pick<T>(list: readonly T[], at: number): [T, number] {
  const index = at % list.length;
  return [list[index]!, index];
}

/** The SPEC §9 hard cap on delegation depth. */
export const HARD_DEPTH_CAP = 10;
