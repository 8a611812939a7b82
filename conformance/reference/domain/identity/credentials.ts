/**
 * @module credentials
 * The reference server's verifiable credentials: its issuer DID, VC-JWT
 * signing with the token key, the records of issued credentials and one
 * StatusList2021 revocation list (bit i = byte i >> 3, bit 7 - (i & 7)).
 */
import { gzipSync } from 'node:zlib';
import { SignJWT, type JWTPayload } from 'jose';
import type { ServerEnv } from '../../context.js';
import { newId } from '../ids.js';
import type { Store } from '../store.js';

/** Bits in the status list: the public server's 16 KiB list. */
export const STATUS_LIST_BITS = 16_384 * 8;

export interface CredentialRecord {
  id: string;
  developerId: string;
  grantId: string;
  principalId: string;
  agentDid: string;
  credentialType: string;
  format: string;
  credentialJwt: string;
  statusListIdx: number;
  issuedAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

interface CredentialState {
  listId: string;
  bits: Uint8Array;
  next: number;
  /** Every credential by id, across developers (verification is public). */
  records: Map<string, CredentialRecord>;
}

const states = new WeakMap<Store, CredentialState>();

function state(store: Store): CredentialState {
  let s = states.get(store);
  if (s === undefined) {
    s = { listId: newId('vcsl'), bits: new Uint8Array(STATUS_LIST_BITS / 8), next: 0, records: new Map() };
    states.set(store, s);
  }
  return s;
}

/** `did:web:<host>` of the server's base URL (a port's colon percent-encoded, as did:web requires). */
export function issuerDid(env: ServerEnv): string {
  return `did:web:${new URL(env.settings.baseUrl).host.replace(':', '%3A')}`;
}

/** The status list's id and URL. */
export function statusList(env: ServerEnv): { listId: string; url: string } {
  const { listId } = state(env.store);
  return { listId, url: `${env.settings.baseUrl}/v1/credentials/status/${listId}` };
}

/** Takes the next free index of the status list. */
export function allocateStatusIndex(env: ServerEnv): number {
  const s = state(env.store);
  if (s.next >= STATUS_LIST_BITS) throw new RangeError('status list full');
  return s.next++;
}

/** Sets (revokes) bit `index`. */
export function setStatusBit(env: ServerEnv, index: number): void {
  const s = state(env.store);
  s.bits[index >> 3]! |= 0x80 >> (index & 7);
}

/** Whether bit `index` is set. */
export function statusBit(env: ServerEnv, index: number): boolean {
  const s = state(env.store);
  return ((s.bits[index >> 3] ?? 0) & (0x80 >> (index & 7))) !== 0;
}

/** base64url(gzip(bitstring)), the list's `encodedList`. */
export function encodedList(env: ServerEnv): string {
  return Buffer.from(gzipSync(state(env.store).bits)).toString('base64url');
}

/** A VC-JWT (RS256, the grant-token key and kid) over `payload`. */
export function signVc(env: ServerEnv, payload: JWTPayload): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', kid: env.keys.kid, typ: 'JWT' })
    .sign(env.keys.privateKey);
}

export function addCredential(env: ServerEnv, record: CredentialRecord): void {
  state(env.store).records.set(record.id, record);
}

export function credential(env: ServerEnv, id: string): CredentialRecord | undefined {
  return state(env.store).records.get(id);
}

export function credentialsOf(env: ServerEnv, developerId: string): CredentialRecord[] {
  return [...state(env.store).records.values()].filter((r) => r.developerId === developerId);
}
