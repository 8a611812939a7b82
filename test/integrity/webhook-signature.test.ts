import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GrantexError } from '../../src/core/errors.js';
import {
  GrantexWebhookError,
  signWebhookPayload,
  verifyWebhook,
  verifyWebhookSignature,
  type VerifyWebhookOptions,
  type WebhookEvent,
} from '../../src/integrity/webhook-signature.js';
import { readVector } from './support/tokens.js';

interface Delivery {
  secret: string;
  headers: Record<string, string>;
  body: string;
}
const deliveries = [1, 2, 3].map((n) => readVector<Delivery>(`webhooks/delivery-${n}.json`));
const SIGNED_AT = 1795870122;
const at = (seconds: number) => new Date(seconds * 1000);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(GrantexWebhookError);
    expect(error).toBeInstanceOf(GrantexError);
    return (error as GrantexWebhookError).code;
  }
}

/** The delivery's own body, headers and secret at its signing time, with `overrides`; `secrets` replaces `secret`. */
const verifyDelivery = (d: Delivery, overrides: Partial<VerifyWebhookOptions> = {}) =>
  verifyWebhook({
    payload: d.body,
    headers: d.headers,
    ...(overrides.secrets === undefined ? { secret: d.secret } : {}),
    now: at(SIGNED_AT),
    ...overrides,
  } as VerifyWebhookOptions);

describe('webhooks: real deliveries', () => {
  it.each(deliveries.map((d) => [JSON.parse(d.body).type as string, d] as const))(
    'verifies the %s delivery and returns its event',
    async (_type, d) => {
      const event: WebhookEvent = await verifyDelivery(d);
      expect(event).toEqual(JSON.parse(d.body));
      expect(await verifyWebhookSignature(d.body, d.headers['x-grantex-signature']!, d.secret)).toBe(true);
    },
  );

  it('narrows the event type on `type`', async () => {
    const events = await Promise.all(deliveries.map((d) => verifyDelivery(d)));
    const seen: string[] = [];
    for (const event of events) {
      if (event.type === 'grant.revoked') seen.push(`revoked ${event.data.grantId} cascade=${event.data.cascade}`);
      else if (event.type === 'token.issued') seen.push(`issued ${event.data.tokenId}`);
      else seen.push(`created ${event.data.grantId} ${event.data.scopes.join(',')}`);
    }
    expect(seen).toEqual([
      'created grnt_01M8H3657ED9TH89CPK9B10HT1 read',
      'issued tok_01M8H3657FYYBD0T8WZD6KR56Q',
      'revoked grnt_01M8H3657ED9TH89CPK9B10HT1 cascade=false',
    ]);
  });

  it('takes the body as bytes and headers as a Headers object, an array value or any casing', async () => {
    const d = deliveries[0]!;
    const upper = Object.fromEntries(Object.entries(d.headers).map(([k, v]) => [k.toUpperCase(), v]));
    const arrays = Object.fromEntries(Object.entries(d.headers).map(([k, v]) => [k, [v]]));
    for (const [payload, headers] of [
      [Buffer.from(d.body), d.headers],
      [new Uint8Array(Buffer.from(d.body)), new Headers(d.headers)],
      [d.body, upper],
      [d.body, arrays],
    ] as const) {
      expect(await codeOf(verifyWebhook({ payload, headers, secret: d.secret, now: at(SIGNED_AT) }))).toBe('ok');
    }
    expect(await verifyWebhookSignature(Buffer.from(d.body), d.headers['x-grantex-signature']!, d.secret)).toBe(true);
  });

  it('reproduces the server signatures with signWebhookPayload', async () => {
    for (const d of deliveries) {
      expect(await signWebhookPayload(d.body, d.secret, { timestamp: at(SIGNED_AT) })).toEqual({
        'X-Grantex-Signature': d.headers['x-grantex-signature'],
        'X-Grantex-Timestamp': d.headers['x-grantex-timestamp'],
        'X-Grantex-Signature-V2': d.headers['x-grantex-signature-v2'],
      });
    }
  });

  it('refuses any changed byte of the body (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...deliveries),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (d, i, delta) => {
          const body = Buffer.from(d.body);
          const index = i % body.length;
          body[index] = (body[index]! + delta) & 0xff;
          expect(await codeOf(verifyDelivery(d, { payload: body }))).toBe('bad_signature');
          expect(await verifyWebhookSignature(body, d.headers['x-grantex-signature']!, d.secret)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses any changed character of either signature header (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...deliveries),
        fc.constantFrom('x-grantex-signature-v2', 'x-grantex-signature'),
        fc.nat(70),
        fc.integer({ min: 0, max: 127 }).map((n) => String.fromCharCode(n)),
        async (d, name, i, c) => {
          const value = d.headers[name]!;
          const index = i % value.length;
          fc.pre(value[index] !== c);
          const changed = value.slice(0, index) + c + value.slice(index + 1);
          if (name === 'x-grantex-signature') {
            expect(await verifyWebhookSignature(d.body, changed, d.secret)).toBe(false);
          } else {
            expect(['bad_signature', 'malformed_header']).toContain(
              await codeOf(verifyDelivery(d, { headers: { ...d.headers, [name]: changed } })),
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a changed timestamp, even within the tolerance', async () => {
    const d = deliveries[1]!;
    for (const delta of [-300, -1, 1, 60]) {
      const headers = { ...d.headers, 'x-grantex-timestamp': String(SIGNED_AT + delta) };
      expect(await codeOf(verifyDelivery(d, { headers }))).toBe('bad_signature');
    }
    for (const spelled of [`0${SIGNED_AT}`, ` ${SIGNED_AT}x`]) {
      expect(await codeOf(verifyDelivery(d, { headers: { ...d.headers, 'x-grantex-timestamp': spelled } }))).not.toBe(
        'ok',
      );
    }
  });

  it('refuses the V1 signature in the V2 header and the other way round', async () => {
    const d = deliveries[2]!;
    const swapped = { ...d.headers, 'x-grantex-signature-v2': d.headers['x-grantex-signature']! };
    expect(await codeOf(verifyDelivery(d, { headers: swapped }))).toBe('bad_signature');
    expect(await verifyWebhookSignature(d.body, d.headers['x-grantex-signature-v2']!, d.secret)).toBe(false);
  });
});

describe('webhooks: freshness, rotation and malformed input', () => {
  const d = deliveries[0]!;

  it('accepts timestamps within the tolerance either way and refuses the rest', async () => {
    expect(await codeOf(verifyDelivery(d, { now: at(SIGNED_AT + 300) }))).toBe('ok');
    expect(await codeOf(verifyDelivery(d, { now: at(SIGNED_AT - 300) }))).toBe('ok');
    expect(await codeOf(verifyDelivery(d, { now: at(SIGNED_AT + 301) }))).toBe('stale_timestamp');
    expect(await codeOf(verifyDelivery(d, { now: at(SIGNED_AT - 301) }))).toBe('future_timestamp');
    expect(await codeOf(verifyDelivery(d, { now: at(SIGNED_AT + 30), toleranceSeconds: 10 }))).toBe('stale_timestamp');
    expect(await codeOf(verifyDelivery(d, { now: at(SIGNED_AT + 3000), toleranceSeconds: 3600 }))).toBe('ok');
    expect(await codeOf(verifyWebhook({ payload: d.body, headers: d.headers, secret: d.secret }))).toBe(
      'stale_timestamp',
    );
  });

  it('accepts any one of several secrets', async () => {
    expect(await codeOf(verifyDelivery(d, { secrets: ['old-secret', d.secret] }))).toBe('ok');
    expect(await codeOf(verifyDelivery(d, { secrets: [d.secret, 'next-secret'] }))).toBe('ok');
    expect(await codeOf(verifyDelivery(d, { secrets: ['old-secret', 'next-secret'] }))).toBe('bad_signature');
    expect(await codeOf(verifyDelivery(d, { secret: `${d.secret} ` }))).toBe('bad_signature');
  });

  it.each([
    ['no timestamp', { 'x-grantex-signature-v2': d.headers['x-grantex-signature-v2'] }, 'missing_header'],
    [
      'no V2 signature',
      {
        'x-grantex-timestamp': d.headers['x-grantex-timestamp'],
        'x-grantex-signature': d.headers['x-grantex-signature'],
      },
      'missing_header',
    ],
    ['no headers at all', {}, 'missing_header'],
    ['a timestamp with a fraction', { ...d.headers, 'x-grantex-timestamp': '1795870122.5' }, 'malformed_header'],
    ['a negative timestamp', { ...d.headers, 'x-grantex-timestamp': '-1795870122' }, 'malformed_header'],
    ['an empty timestamp', { ...d.headers, 'x-grantex-timestamp': '' }, 'malformed_header'],
    ['a huge timestamp', { ...d.headers, 'x-grantex-timestamp': '9'.repeat(40) }, 'malformed_header'],
    [
      'a bare hex signature',
      { ...d.headers, 'x-grantex-signature-v2': d.headers['x-grantex-signature-v2']!.slice(7) },
      'malformed_header',
    ],
    [
      'another algorithm',
      { ...d.headers, 'x-grantex-signature-v2': d.headers['x-grantex-signature-v2']!.replace('sha256', 'sha1') },
      'malformed_header',
    ],
    [
      'a truncated signature',
      { ...d.headers, 'x-grantex-signature-v2': d.headers['x-grantex-signature-v2']!.slice(0, -2) },
      'malformed_header',
    ],
    [
      'two signatures',
      {
        ...d.headers,
        'x-grantex-signature-v2': `${d.headers['x-grantex-signature-v2']},${d.headers['x-grantex-signature-v2']}`,
      },
      'malformed_header',
    ],
    [
      'the header twice (array)',
      { ...d.headers, 'x-grantex-signature-v2': [d.headers['x-grantex-signature-v2']!, 'sha256=00'] },
      'malformed_header',
    ],
    ['the header twice (two casings)', { ...d.headers, 'X-Grantex-Timestamp': '1' }, 'malformed_header'],
  ])('refuses %s', async (_name, headers, code) => {
    expect(await codeOf(verifyDelivery(d, { headers: headers as VerifyWebhookOptions['headers'] }))).toBe(code);
  });

  it('refuses a repeated header in a Headers object', async () => {
    const headers = new Headers(d.headers);
    headers.append('x-grantex-signature-v2', d.headers['x-grantex-signature-v2']!);
    expect(await codeOf(verifyDelivery(d, { headers }))).toBe('malformed_header');
  });

  it.each([
    ['not JSON', 'not json'],
    ['a JSON array', '[]'],
    ['JSON null', 'null'],
    ['an unknown event type', JSON.stringify({ id: 'evt_1', type: 'grant.exploded', createdAt: 'x', data: {} })],
    ['no data', JSON.stringify({ id: 'evt_1', type: 'grant.created', createdAt: 'x' })],
    ['a numeric id', JSON.stringify({ id: 1, type: 'grant.created', createdAt: 'x', data: {} })],
  ])('refuses an authentic body that is %s', async (_name, body) => {
    const headers = await signWebhookPayload(body, d.secret, { timestamp: at(SIGNED_AT) });
    expect(await codeOf(verifyWebhook({ payload: body, headers, secret: d.secret, now: at(SIGNED_AT) }))).toBe(
      'invalid_payload',
    );
  });

  it('refuses an authentic body that is not UTF-8', async () => {
    const body = Buffer.concat([Buffer.from('{"id":"'), Buffer.from([0xff]), Buffer.from('"}')]);
    const headers = await signWebhookPayload(body, d.secret, { timestamp: at(SIGNED_AT) });
    expect(await codeOf(verifyWebhook({ payload: body, headers, secret: d.secret, now: at(SIGNED_AT) }))).toBe(
      'invalid_payload',
    );
  });

  it.each([
    ['no secret', { payload: d.body, headers: d.headers }],
    ['both secret and secrets', { payload: d.body, headers: d.headers, secret: 'a', secrets: ['b'] }],
    ['an empty secret', { payload: d.body, headers: d.headers, secret: '' }],
    ['an empty secret list', { payload: d.body, headers: d.headers, secrets: [] }],
    ['a parsed body', { payload: JSON.parse(d.body), headers: d.headers, secret: d.secret }],
    ['a negative tolerance', { payload: d.body, headers: d.headers, secret: d.secret, toleranceSeconds: -1 }],
    ['an invalid date', { payload: d.body, headers: d.headers, secret: d.secret, now: new Date('x') }],
    ['no headers', { payload: d.body, headers: null, secret: d.secret }],
  ])('refuses a call with %s as invalid_options', async (_name, options) => {
    expect(await codeOf(verifyWebhook(options as unknown as VerifyWebhookOptions))).toBe('invalid_options');
  });

  it('legacy check returns false on malformed input and throws only for a missing secret', async () => {
    for (const signature of [
      '',
      'sha256=',
      'sha256=zz',
      d.headers['x-grantex-signature']!.toUpperCase(),
      undefined,
      42,
    ]) {
      expect(await verifyWebhookSignature(d.body, signature as string, d.secret)).toBe(false);
    }
    expect(await verifyWebhookSignature({} as string, d.headers['x-grantex-signature']!, d.secret)).toBe(false);
    await expect(verifyWebhookSignature(d.body, d.headers['x-grantex-signature']!, '')).rejects.toMatchObject({
      code: 'invalid_options',
    });
  });
});

describe('webhooks: sign and verify round trip (fast-check)', () => {
  it('signWebhookPayload agrees with node:crypto and verifyWebhook accepts exactly the fresh, authentic deliveries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.uint8Array({ maxLength: 200 }),
        fc.integer({ min: 1_000_000_000, max: 4_000_000_000 }),
        fc.integer({ min: -1000, max: 1000 }),
        async (secret, bytes, signedAt, skew) => {
          const body = Buffer.from(
            JSON.stringify({
              id: 'evt_x',
              type: 'token.issued',
              createdAt: 'now',
              data: { b: Buffer.from(bytes).toString('hex') },
            }),
          );
          const headers = await signWebhookPayload(body, secret, { timestamp: at(signedAt) });
          expect(headers['X-Grantex-Signature']).toBe(
            `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
          );
          expect(headers['X-Grantex-Signature-V2']).toBe(
            `sha256=${createHmac('sha256', secret).update(`${signedAt}.`).update(body).digest('hex')}`,
          );
          const code = await codeOf(verifyWebhook({ payload: body, headers, secret, now: at(signedAt + skew) }));
          expect(code).toBe(skew > 300 ? 'stale_timestamp' : skew < -300 ? 'future_timestamp' : 'ok');
          expect(await codeOf(verifyWebhook({ payload: body, headers, secret: `${secret}x`, now: at(signedAt) }))).toBe(
            'bad_signature',
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});
