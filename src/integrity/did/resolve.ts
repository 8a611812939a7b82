import { GrantexTokenError } from '../verify/errors.js';
import { isJwks, type Jwks } from '../verify/jwks.js';
import { fetchJson, type BoundedFetchOptions } from './fetch-json.js';
import type { DidDocument } from '../../../generated/models.js';
export type { DidDocument };

/** Options of {@link createDidResolver}. */
export interface DidResolverOptions extends BoundedFetchOptions {
  /**
   * Documents known in advance, by DID: they are used as given and never
   * fetched (offline verification, tests, pinned issuers).
   */
  documents?: Record<string, DidDocument>;
  /**
   * The Grantex service whose agents `did:grantex:…` DIDs name (its base URL,
   * e.g. `https://api.grantex.dev`). Without it, `did:grantex` DIDs do not resolve.
   */
  grantexBaseUrl?: string | URL;
  /** How long a fetched document is reused, in milliseconds. Default `300_000` (5 minutes). */
  cacheMaxAge?: number;
}

/** Resolves DIDs to documents, caching what it fetched. */
export interface DidResolver {
  /** The DID's document. @throws {GrantexTokenError} `malformed` (not a supported DID) or `jwks_unavailable`. */
  resolve(did: string): Promise<DidDocument>;
  /** The document if it is known now without fetching. */
  peek(did: string): DidDocument | undefined;
}

const MAX_DID_LENGTH = 2048;
const CACHE_LIMIT = 256;

/**
 * The URL of a `did:web` document (W3C did:web method): `did:web:example.com`
 * → `https://example.com/.well-known/did.json`, `did:web:example.com:user:alice`
 * → `https://example.com/user/alice/did.json`; a port is percent-encoded
 * (`did:web:localhost%3A8443`). Loopback hosts are fetched over http.
 *
 * @throws {GrantexTokenError} `malformed` for anything else.
 */
export function didWebUrl(did: string): URL {
  const bad = (why: string) => new GrantexTokenError('malformed', `${JSON.stringify(did.slice(0, 80))} ${why}`);
  if (typeof did !== 'string' || did.length > MAX_DID_LENGTH || !did.startsWith('did:web:'))
    throw bad('is not a did:web DID');
  const parts = did.slice('did:web:'.length).split(':');
  if (parts.some((p) => p === '' || !/^[A-Za-z0-9._~%-]+$/.test(p))) throw bad('has an empty or invalid segment');
  let host: string;
  let path: string[];
  try {
    host = decodeURIComponent(parts[0]!);
    path = parts.slice(1).map((p) => decodeURIComponent(p));
  } catch {
    throw bad('has a bad percent-encoding');
  }
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(host) || path.some((p) => p === '.' || p === '..' || /[/?#\\]/.test(p)))
    throw bad('does not name a host and path');
  const hostname = host.replace(/:\d+$/, '');
  const loopback = hostname === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
  const base = `${loopback ? 'http' : 'https'}://${host}`;
  const url = new URL(
    path.length === 0 ? '/.well-known/did.json' : `/${path.map(encodeURIComponent).join('/')}/did.json`,
    base,
  );
  if (url.host.toLowerCase() !== host.toLowerCase()) throw bad('does not name a host');
  return url;
}

/**
 * Checks a fetched or given document: an object whose `id` is the DID and
 * whose verification methods are well-formed JWK entries of that DID.
 *
 * @throws {GrantexTokenError} `jwks_unavailable`.
 */
export function checkDidDocument(did: string, value: unknown): DidDocument {
  const bad = (why: string) => new GrantexTokenError('jwks_unavailable', `the DID document of ${did} ${why}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('is not a JSON object');
  const doc = value as Record<string, unknown>;
  if (doc['id'] !== did) throw bad('names another DID');
  const methods = doc['verificationMethod'];
  if (!Array.isArray(methods)) throw bad('has no verificationMethod list');
  for (const m of methods) {
    const method = m as Record<string, unknown> | null;
    if (typeof method !== 'object' || method === null || typeof method['id'] !== 'string')
      throw bad('has a verification method without an id');
    const jwk = method['publicKeyJwk'];
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw bad('has a method without publicKeyJwk');
  }
  return value as DidDocument;
}

/**
 * The keys a DID document lets sign assertions (credentials), as a JWKS. A
 * method counts when `assertionMethod` lists it (or the document has no such
 * list) and its controller, if given, is the DID; its `kid` is the fragment
 * of its id, which must agree with the JWK's own `kid` when it has one.
 */
export function assertionKeys(doc: DidDocument): Jwks {
  const listed = Array.isArray(doc.assertionMethod) ? new Set(doc.assertionMethod) : undefined;
  const keys: Jwks['keys'] = [];
  for (const method of doc.verificationMethod) {
    if (listed !== undefined && !listed.has(method.id)) continue;
    if (method.controller !== undefined && method.controller !== doc.id) continue;
    const hash = method.id.indexOf('#');
    const prefix = method.id.slice(0, hash);
    if (hash < 0 || (prefix !== '' && prefix !== doc.id)) continue;
    const kid = method.id.slice(hash + 1);
    if (method.publicKeyJwk.kid !== undefined && method.publicKeyJwk.kid !== kid) continue;
    keys.push({ ...method.publicKeyJwk, kid });
  }
  return { keys };
}

/** A resolver with a bounded cache. See {@link DidResolverOptions}. */
export function createDidResolver(options: DidResolverOptions = {}): DidResolver {
  const given = new Map<string, DidDocument>();
  for (const [did, doc] of Object.entries(options.documents ?? {})) given.set(did, checkDidDocument(did, doc));
  const maxAge = options.cacheMaxAge ?? 300_000;
  if (typeof maxAge !== 'number' || !(maxAge >= 0))
    throw new GrantexTokenError('invalid_options', '"cacheMaxAge" must be a non-negative number of milliseconds');
  const base = options.grantexBaseUrl === undefined ? undefined : new URL(String(options.grantexBaseUrl));
  const cache = new Map<string, { doc: DidDocument; at: number }>();
  const pending = new Map<string, Promise<DidDocument>>();

  async function load(did: string): Promise<DidDocument> {
    let doc: DidDocument;
    if (did.startsWith('did:web:')) {
      const url = didWebUrl(did);
      doc = checkDidDocument(did, await fetchJson(url, options).catch(unavailable(did)));
    } else if (did.startsWith('did:grantex:')) {
      if (base === undefined)
        throw new GrantexTokenError('jwks_unavailable', `${did} needs the resolver's grantexBaseUrl`);
      const jwks = await fetchJson(new URL('/.well-known/jwks.json', base), options).catch(unavailable(did));
      if (!isJwks(jwks)) throw new GrantexTokenError('jwks_unavailable', `the key set for ${did} is not a JWKS`);
      doc = grantexDocument(did, jwks);
    } else {
      throw new GrantexTokenError('malformed', 'only did:web and did:grantex DIDs are resolved');
    }
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    cache.set(did, { doc, at: Date.now() });
    return doc;
  }

  return {
    peek(did) {
      const known = given.get(did);
      if (known !== undefined) return known;
      const hit = cache.get(did);
      return hit !== undefined && Date.now() - hit.at < maxAge ? hit.doc : undefined;
    },
    resolve(did) {
      const known = this.peek(did);
      if (known !== undefined) return Promise.resolve(known);
      if (typeof did !== 'string' || did.length > MAX_DID_LENGTH)
        return Promise.reject(new GrantexTokenError('malformed', 'a DID must be a string of at most 2048 characters'));
      let running = pending.get(did);
      if (running === undefined) {
        running = load(did).finally(() => pending.delete(did));
        pending.set(did, running);
      }
      return running;
    },
  };
}

/** Resolves one DID with a fresh resolver (no cache across calls). */
export function resolveDid(did: string, options: DidResolverOptions = {}): Promise<DidDocument> {
  return createDidResolver(options).resolve(did);
}

/** The document of a `did:grantex` agent: the service's keys, as SPEC.md §3.3 publishes them. */
function grantexDocument(did: string, jwks: Jwks): DidDocument {
  const methods = jwks.keys
    .filter((k) => typeof k.kid === 'string')
    .map((k) => ({ id: `${did}#${k.kid}`, type: 'JsonWebKey2020', controller: did, publicKeyJwk: k }));
  return {
    '@context': ['https://www.w3.org/ns/did/v1'],
    id: did,
    verificationMethod: methods,
    assertionMethod: methods.map((m) => m.id),
  };
}

function unavailable(did: string) {
  return (cause: unknown): never => {
    if (cause instanceof GrantexTokenError) throw cause;
    throw new GrantexTokenError('jwks_unavailable', `could not resolve ${did}`, { cause });
  };
}
