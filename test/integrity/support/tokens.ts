/** Test-only token factory: signs arbitrary headers and payloads so attacks can be built precisely. */
import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Jwks } from '../../../src/integrity/verify/jwks.js';

export const VECTORS = new URL('../../vectors/', import.meta.url);

export function readVector<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, VECTORS), 'utf8')) as T;
}

export const b64 = (value: string | Uint8Array): string => Buffer.from(value).toString('base64url');
export const b64json = (value: unknown): string => b64(JSON.stringify(value));

export interface TestKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: Jwks['keys'][number];
}

export function rsaKey(kid: string, modulusLength = 2048): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength });
  return {
    kid,
    privateKey,
    publicKey,
    jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } as TestKey['jwk'],
  };
}

export function ed25519Key(kid: string): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    kid,
    privateKey,
    publicKey,
    jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'EdDSA', use: 'sig' } as TestKey['jwk'],
  };
}

/** Signs `<header>.<payload>` (each given as JSON value or already-encoded text) with RSA-SHA256. */
export function signRs256(key: KeyObject, header: unknown, payload: unknown): string {
  const input = `${segment(header)}.${segment(payload)}`;
  return `${input}.${b64(sign('sha256', Buffer.from(input), key))}`;
}

export function signHs256(secret: string | Buffer, header: unknown, payload: unknown): string {
  const input = `${segment(header)}.${segment(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export function signEdDsa(key: KeyObject, header: unknown, payload: unknown): string {
  const input = `${segment(header)}.${segment(payload)}`;
  return `${input}.${b64(sign(null, Buffer.from(input), key))}`;
}

/** A string is taken as an already-encoded segment; anything else is JSON-encoded. */
function segment(value: unknown): string {
  return typeof value === 'string' ? value : b64json(value);
}

export const NOW = 1_800_000_000;
export const at = (seconds: number): Date => new Date(seconds * 1000);

export function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    agt: 'did:grantex:ag_01TEST',
    dev: 'dev_01TEST',
    scp: ['calendar:read', 'email:send'],
    grnt: 'grnt_01TEST',
    iss: 'https://auth.example.test',
    sub: 'user_test',
    jti: 'tok_01TEST',
    iat: NOW - 60,
    exp: NOW + 3600,
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete base[name];
    else base[name] = value;
  }
  return base;
}
