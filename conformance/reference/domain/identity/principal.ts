/**
 * @module principal
 * The reference server's principal sessions, WebAuthn records, custom domains
 * and account settings: small per-server tables of the identity groups.
 */
import type { Store } from '../store.js';

export interface SessionRecord {
  developerId: string;
  principalId: string;
  expiresAt: number;
}

export interface ChallengeRecord {
  id: string;
  developerId: string;
  principalId: string;
  kind: 'registration' | 'assertion';
  challenge: string;
  expiresAt: number;
}

export interface WebauthnCredentialRecord {
  id: string;
  developerId: string;
  principalId: string;
  deviceName: string | null;
  createdAt: number;
}

export interface DomainRecord {
  id: string;
  developerId: string;
  domain: string;
  token: string;
  verified: boolean;
  createdAt: number;
}

export interface AccountSettings {
  fidoRequired: boolean;
  fidoRpName: string | null;
}

export interface EmailVerification {
  developerId: string;
  email: string;
  expiresAt: number;
  verified: boolean;
}

export interface IdentityTables {
  sessions: Map<string, SessionRecord>;
  challenges: Map<string, ChallengeRecord>;
  webauthn: Map<string, WebauthnCredentialRecord>;
  domains: Map<string, DomainRecord>;
  settings: Map<string, AccountSettings>;
  emailTokens: Map<string, EmailVerification>;
}

const states = new WeakMap<Store, IdentityTables>();

export function tables(store: Store): IdentityTables {
  let s = states.get(store);
  if (s === undefined) {
    s = {
      sessions: new Map(),
      challenges: new Map(),
      webauthn: new Map(),
      domains: new Map(),
      settings: new Map(),
      emailTokens: new Map(),
    };
    states.set(store, s);
    const settings = s.settings;
    store.onDeveloperForgotten((developerId) => settings.delete(developerId));
  }
  return s;
}

/** A developer's account settings (defaults until changed). */
export function settingsOf(store: Store, developerId: string): AccountSettings {
  const t = tables(store);
  let s = t.settings.get(developerId);
  if (s === undefined) {
    s = { fidoRequired: false, fidoRpName: null };
    t.settings.set(developerId, s);
  }
  return s;
}
