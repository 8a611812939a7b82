/**
 * @module webhook-signature
 * Authenticates Grantex webhook deliveries (HMAC-SHA256 keyed with the
 * webhook's secret as UTF-8 text) and signs them for servers and tests.
 * Prefer {@link verifyWebhook}: its signature covers a timestamp, so a
 * captured delivery cannot be replayed after `toleranceSeconds`.
 */
import type { operations } from '../../generated/schema.js';
import { GrantexError } from '../core/errors.js';
import { fromUtf8, timingSafeEqual, toHex, utf8 } from '../internal/bytes.js';

/** A webhook delivery body: `grant.created`, `grant.revoked` or `token.issued`, discriminated on `type`. */
import type { WebhookEvent } from '../../generated/models.js';
export type { WebhookEvent };

/** The signature headers of a delivery, as the spec's `webhooks` section names them. */
export type WebhookSignatureHeaders = operations['onGrantCreated']['parameters']['header'];

/**
 * Why a delivery was refused. Stable: callers branch on these values.
 *
 * - `missing_header`: no `X-Grantex-Timestamp` or `X-Grantex-Signature-V2`.
 * - `malformed_header`: a header is not `sha256=<64 lowercase hex>` / decimal seconds, or appears twice.
 * - `bad_signature`: no secret produces the signature (wrong secret, or body, timestamp or signature changed).
 * - `stale_timestamp` / `future_timestamp`: signed more than `toleranceSeconds` before / after `now`.
 * - `invalid_payload`: authentic, but not a UTF-8 JSON event of a known `type`.
 * - `invalid_options`: the call itself is wrong (no secret, bad tolerance…).
 */
export type GrantexWebhookErrorCode =
  | 'missing_header'
  | 'malformed_header'
  | 'bad_signature'
  | 'stale_timestamp'
  | 'future_timestamp'
  | 'invalid_payload'
  | 'invalid_options';

/** Thrown by {@link verifyWebhook} when a delivery is not authentic, not fresh or not an event. */
export class GrantexWebhookError extends GrantexError {
  override name = 'GrantexWebhookError';
  /** Why the delivery was refused; branch on this, not on the message. */
  readonly code: GrantexWebhookErrorCode;

  constructor(code: GrantexWebhookErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Request headers as frameworks hand them over: a Fetch `Headers`, or Node's `IncomingHttpHeaders`-style record. */
export type WebhookHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Options of {@link verifyWebhook}. */
export interface VerifyWebhookOptions {
  /**
   * The raw request body exactly as received: the bytes, or their UTF-8
   * text. Never a parsed and re-serialized object, which would not match.
   */
  payload: string | Uint8Array;
  /** The request headers; names are matched case-insensitively. */
  headers: WebhookHeaders;
  /** The webhook's secret, as returned once by `POST /v1/webhooks`. Give this or `secrets`. */
  secret?: string;
  /** Several secrets, any of which may have signed (rotation). Give this or `secret`. */
  secrets?: readonly string[];
  /** How far the timestamp may be from `now`, either way, in seconds. Default `300`. */
  toleranceSeconds?: number;
  /** The time to judge the timestamp against. Default: now. */
  now?: Date;
}

/** Options of {@link signWebhookPayload}. */
export interface SignWebhookOptions {
  /** When the attempt is signed. Default: now. */
  timestamp?: Date;
}

const SIGNATURE = /^sha256=([0-9a-f]{64})$/;
const TIMESTAMP = /^[0-9]{1,12}$/;
const EVENT_TYPES: ReadonlySet<string> = new Set<WebhookEvent['type']>([
  'grant.created',
  'grant.revoked',
  'token.issued',
]);

/**
 * Checks the legacy `X-Grantex-Signature` header (`sha256=<hex>` over the raw
 * body alone). Nothing here expires, so a captured delivery verifies forever:
 * use {@link verifyWebhook} where the server sends the timestamped headers.
 * Compares in constant time; any malformed input is `false`.
 *
 * @throws {GrantexWebhookError} `invalid_options` when `secret` is not a non-empty string.
 * @example
 * ```ts
 * const ok = await verifyWebhookSignature(rawBody, request.headers['x-grantex-signature'] ?? '', secret);
 * ```
 */
export async function verifyWebhookSignature(
  payload: string | Uint8Array,
  signature: string,
  secret: string,
): Promise<boolean> {
  checkSecret(secret);
  const expected = parseSignature(signature);
  if (expected === undefined || !isPayload(payload)) return false;
  return timingSafeEqual(await hmac(secret, toBytes(payload)), expected);
}

/**
 * Authenticates a timestamped delivery and returns its event: the
 * `X-Grantex-Signature-V2` header must be the HMAC of
 * `<X-Grantex-Timestamp>.<raw body>` under one of the secrets, compared in
 * constant time, and the timestamp within `toleranceSeconds` of `now`.
 *
 * @throws {GrantexWebhookError} with a stable `code`; see {@link GrantexWebhookErrorCode}.
 * @example
 * ```ts
 * const event = await verifyWebhook({ payload: rawBody, headers: request.headers, secret });
 * if (event.type === 'grant.revoked') forget(event.data.grantId);
 * ```
 */
export async function verifyWebhook(options: VerifyWebhookOptions): Promise<WebhookEvent> {
  const { secrets, tolerance, now } = checkOptions(options);
  const timestamp = header(options.headers, 'x-grantex-timestamp');
  const signatureHeader = header(options.headers, 'x-grantex-signature-v2');
  if (!TIMESTAMP.test(timestamp))
    throw new GrantexWebhookError('malformed_header', 'X-Grantex-Timestamp must be Unix seconds');
  const signature = parseSignature(signatureHeader);
  if (signature === undefined)
    throw new GrantexWebhookError(
      'malformed_header',
      'X-Grantex-Signature-V2 must be sha256=<64 lowercase hex digits>',
    );
  const body = toBytes(options.payload);
  const signed = concat(utf8(`${timestamp}.`), body);
  let authentic = false;
  // Every secret is tried, so the time taken does not tell which one matched.
  for (const secret of secrets) authentic = timingSafeEqual(await hmac(secret, signed), signature) || authentic;
  if (!authentic) throw new GrantexWebhookError('bad_signature', 'webhook signature does not verify');
  const age = now - Number(timestamp);
  if (age > tolerance)
    throw new GrantexWebhookError('stale_timestamp', `webhook was signed ${age} s ago (tolerance ${tolerance} s)`);
  if (-age > tolerance)
    throw new GrantexWebhookError('future_timestamp', `webhook is dated ${-age} s ahead (tolerance ${tolerance} s)`);
  return parseEvent(body);
}

/**
 * Signs a delivery body the way a Grantex server does, returning the three
 * headers to send with it.
 *
 * @throws {GrantexWebhookError} `invalid_options` for an empty secret, a non-body payload or an invalid date.
 * @example
 * ```ts
 * const headers = await signWebhookPayload(JSON.stringify(event), secret);
 * await fetch(url, { method: 'POST', body, headers: { ...headers, 'content-type': 'application/json' } });
 * ```
 */
export async function signWebhookPayload(
  payload: string | Uint8Array,
  secret: string,
  options: SignWebhookOptions = {},
): Promise<WebhookSignatureHeaders> {
  checkSecret(secret);
  if (!isPayload(payload)) throw new GrantexWebhookError('invalid_options', 'payload must be a string or bytes');
  const timestamp = String(nowSeconds(options.timestamp));
  const body = toBytes(payload);
  return {
    'X-Grantex-Signature': `sha256=${toHex(await hmac(secret, body))}`,
    'X-Grantex-Timestamp': timestamp,
    'X-Grantex-Signature-V2': `sha256=${toHex(await hmac(secret, concat(utf8(`${timestamp}.`), body)))}`,
  };
}

async function hmac(secret: string, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', utf8(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, data));
}

function checkOptions(options: VerifyWebhookOptions): { secrets: readonly string[]; tolerance: number; now: number } {
  if (typeof options !== 'object' || options === null)
    throw new GrantexWebhookError('invalid_options', 'options are required');
  if ((options.secret === undefined) === (options.secrets === undefined)) {
    throw new GrantexWebhookError('invalid_options', 'give exactly one of "secret" and "secrets"');
  }
  const secrets = options.secrets ?? [options.secret as string];
  if (!Array.isArray(secrets) || secrets.length === 0)
    throw new GrantexWebhookError('invalid_options', '"secrets" must be a non-empty array');
  for (const secret of secrets) checkSecret(secret);
  if (!isPayload(options.payload))
    throw new GrantexWebhookError('invalid_options', '"payload" must be the raw body, as a string or bytes');
  const tolerance = options.toleranceSeconds ?? 300;
  if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0) {
    throw new GrantexWebhookError('invalid_options', '"toleranceSeconds" must be a non-negative number');
  }
  return { secrets, tolerance, now: nowSeconds(options.now) };
}

function checkSecret(secret: unknown): asserts secret is string {
  if (typeof secret !== 'string' || secret.length === 0)
    throw new GrantexWebhookError('invalid_options', 'the webhook secret must be a non-empty string');
}

/** The one value of a header, whichever way the headers are held. */
function header(headers: WebhookHeaders, name: string): string {
  if (typeof headers !== 'object' || headers === null)
    throw new GrantexWebhookError('invalid_options', '"headers" are required');
  let value: string | readonly string[] | null | undefined;
  if (typeof (headers as Headers).get === 'function') value = (headers as Headers).get(name);
  else {
    const matches = Object.keys(headers).filter((key) => key.toLowerCase() === name);
    if (matches.length > 1) throw new GrantexWebhookError('malformed_header', `${name} appears more than once`);
    value =
      matches.length === 0
        ? undefined
        : (headers as Record<string, string | readonly string[] | undefined>)[matches[0]!];
  }
  if (Array.isArray(value)) {
    if (value.length > 1) throw new GrantexWebhookError('malformed_header', `${name} appears more than once`);
    value = value[0];
  }
  if (typeof value !== 'string') throw new GrantexWebhookError('missing_header', `missing ${name} header`);
  return value.trim();
}

function parseSignature(value: unknown): Uint8Array | undefined {
  const match = typeof value === 'string' ? SIGNATURE.exec(value.trim()) : null;
  if (match === null) return undefined;
  const hex = match[1]!;
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

function parseEvent(body: Uint8Array): WebhookEvent {
  let event: unknown;
  try {
    event = JSON.parse(fromUtf8(body));
  } catch (cause) {
    throw new GrantexWebhookError('invalid_payload', 'webhook body is not UTF-8 JSON', { cause });
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event))
    throw new GrantexWebhookError('invalid_payload', 'webhook body is not a JSON object');
  const { id, type, createdAt, data } = event as Record<string, unknown>;
  if (
    typeof id !== 'string' ||
    typeof createdAt !== 'string' ||
    typeof data !== 'object' ||
    data === null ||
    Array.isArray(data)
  ) {
    throw new GrantexWebhookError(
      'invalid_payload',
      'webhook body needs string "id" and "createdAt" and an object "data"',
    );
  }
  if (typeof type !== 'string' || !EVENT_TYPES.has(type))
    throw new GrantexWebhookError('invalid_payload', `unknown webhook event type ${JSON.stringify(type)}`);
  return event as WebhookEvent;
}

function isPayload(payload: unknown): payload is string | Uint8Array {
  return typeof payload === 'string' || payload instanceof Uint8Array;
}

function toBytes(payload: string | Uint8Array): Uint8Array<ArrayBuffer> {
  return typeof payload === 'string' ? utf8(payload) : new Uint8Array(payload);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function nowSeconds(date: Date | undefined): number {
  if (date === undefined) return Math.floor(Date.now() / 1000);
  const time = date instanceof Date ? date.getTime() : Number.NaN;
  if (!Number.isFinite(time)) throw new GrantexWebhookError('invalid_options', 'the date must be a valid Date');
  return Math.floor(time / 1000);
}
