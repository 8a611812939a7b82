import { fromBase64url, isCanonicalBase64url } from '../../internal/bytes.js';
import { fetchJson, isAllowedUrl, type BoundedFetchOptions } from '../did/fetch-json.js';
import { GrantexTokenError } from '../verify/errors.js';
import type { StatusListCredential, StatusListEntry } from '../../../generated/models.js';
export type { StatusListCredential, StatusListEntry };

/** Options of {@link createStatusListReader}. */
export interface StatusListReaderOptions extends BoundedFetchOptions {
  /**
   * The origins status lists may be fetched from (`https://api.grantex.dev`).
   * A credential names its list's URL; any other origin is refused without a
   * request, so a credential cannot make the verifier call a host of its choosing.
   */
  allowedOrigins?: readonly string[];
  /** Lists known in advance, by URL: used as given, never fetched. */
  documents?: Record<string, unknown>;
  /** How long a fetched list is reused, in milliseconds; at most and by default `300_000`. */
  cacheMaxAge?: number;
  /** The largest inflated bitstring, in bytes. Default 1 MiB. */
  maxListBytes?: number;
}

/** Reads revocation bits. */
export interface StatusListReader {
  /** Whether the entry's bit is set. @throws {GrantexTokenError} `status_unavailable` or `malformed`. */
  isRevoked(entry: unknown): Promise<boolean>;
}

const MAX_CACHE_MS = 300_000;
const CACHE_LIMIT = 64;

/** A reader with a per-URL cache. See {@link StatusListReaderOptions}. */
export function createStatusListReader(options: StatusListReaderOptions = {}): StatusListReader {
  const origins = new Set((options.allowedOrigins ?? []).map((o) => new URL(o).origin));
  const maxAge = Math.min(options.cacheMaxAge ?? MAX_CACHE_MS, MAX_CACHE_MS);
  const maxListBytes = options.maxListBytes ?? 1 << 20;
  const given = new Map(Object.entries(options.documents ?? {}));
  const cache = new Map<string, { bits: Promise<Uint8Array>; at: number }>();

  function bitsOf(url: URL): Promise<Uint8Array> {
    const hit = cache.get(url.href);
    if (hit !== undefined && Date.now() - hit.at < maxAge) return hit.bits;
    const document = given.get(url.href);
    let source: Promise<unknown>;
    if (document !== undefined) source = Promise.resolve(document);
    else if (!origins.has(url.origin) || !isAllowedUrl(url))
      return Promise.reject(unavailable(`status lists from ${url.origin} are not allowed (see allowedOrigins)`));
    else source = fetchJson(url, options);
    const bits = source.then((doc) => decodeList(doc, url.href, maxListBytes));
    bits.catch(() => cache.delete(url.href));
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    cache.set(url.href, { bits, at: Date.now() });
    return bits.catch((cause: unknown) => {
      throw cause instanceof GrantexTokenError
        ? cause
        : unavailable(`could not read the status list ${url.href}`, cause);
    });
  }

  return {
    async isRevoked(entry) {
      const { url, index } = readEntry(entry);
      const bits = await bitsOf(url);
      if (index >= bits.length * 8) throw unavailable(`status index ${index} is past the end of the list`);
      return ((bits[index >> 3]! >> (7 - (index & 7))) & 1) === 1;
    },
  };
}

function readEntry(entry: unknown): { url: URL; index: number } {
  const e = entry as Partial<StatusListEntry> | null;
  if (typeof e !== 'object' || e === null) throw malformed('credentialStatus must be an object');
  if (e.type !== 'StatusList2021Entry') throw malformed('credentialStatus is not a StatusList2021Entry');
  if (e.statusPurpose !== 'revocation') throw malformed('credentialStatus is not for revocation');
  const raw = e.statusListIndex;
  if (typeof raw !== 'string' || !/^(0|[1-9]\d{0,8})$/.test(raw))
    throw malformed('statusListIndex must be a decimal string');
  if (typeof e.statusListCredential !== 'string') throw malformed('statusListCredential must be a URL');
  let url: URL;
  try {
    url = new URL(e.statusListCredential);
  } catch {
    throw malformed('statusListCredential must be an absolute URL');
  }
  return { url, index: Number(raw) };
}

async function decodeList(doc: unknown, url: string, maxBytes: number): Promise<Uint8Array> {
  const d = doc as Partial<StatusListCredential> | null;
  const types = d?.type;
  const subject = d?.credentialSubject as Record<string, unknown> | undefined;
  if (
    !Array.isArray(types) ||
    !types.includes('StatusList2021Credential') ||
    typeof subject !== 'object' ||
    subject === null
  )
    throw unavailable(`${url} is not a StatusList2021Credential`);
  if (subject['statusPurpose'] !== 'revocation') throw unavailable(`${url} is not a revocation list`);
  const encoded = subject['encodedList'];
  if (
    typeof encoded !== 'string' ||
    encoded.length === 0 ||
    encoded.length > maxBytes ||
    !isCanonicalBase64url(encoded)
  )
    throw unavailable(`${url} has no valid encodedList`);
  return gunzip(fromBase64url(encoded), maxBytes);
}

/** Inflates gzip with Web Streams, stopping as soon as the output passes `maxBytes`. */
async function gunzip(bytes: Uint8Array<ArrayBuffer>, maxBytes: number): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw unavailable(`the status list inflates past ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } catch (cause) {
    throw cause instanceof GrantexTokenError ? cause : unavailable('the status list is not valid gzip', cause);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function unavailable(message: string, cause?: unknown): GrantexTokenError {
  return new GrantexTokenError('status_unavailable', message, cause === undefined ? undefined : { cause });
}

function malformed(message: string): GrantexTokenError {
  return new GrantexTokenError('malformed', message);
}
