/**
 * @module ids
 * Prefixed ULIDs (`ag_01M8H3D6…`), the identifier format of every Grantex resource.
 */
import { randomBytes } from 'node:crypto';
import { idFormat } from '../variants.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A 26-character ULID: 48 bits of milliseconds, then 80 random bits, in Crockford base32. */
export function ulid(nowMs: number = Date.now()): string {
  let time = '';
  let t = Math.max(0, Math.floor(nowMs));
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let random = '';
  for (let i = 0; i < 16; i++) random += CROCKFORD[(bytes[i] ?? 0) % 32];
  return time + random;
}

/** 32 lowercase hex digits: 48 bits of milliseconds, then 80 random bits (the `other-id-format` variant). */
export function timeOrderedHex(nowMs: number = Date.now()): string {
  return Math.max(0, Math.floor(nowMs)).toString(16).padStart(12, '0').slice(-12) + randomBytes(10).toString('hex');
}

/**
 * A new identifier with the resource's prefix, e.g. `newId('grnt')` →
 * `grnt_01M8…`; with the `other-id-format` variant on for the current
 * request, `grnt_` and 32 hex digits.
 */
export function newId(prefix: string, nowMs?: number): string {
  return `${prefix}_${idFormat.getStore() === 'hex' ? timeOrderedHex(nowMs) : ulid(nowMs)}`;
}

/** An unguessable secret as lowercase hex (`bytes` random bytes). */
export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** An unguessable secret as base64url (`bytes` random bytes). */
export function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}
