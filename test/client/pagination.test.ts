// Pages: hasNextPage()/getNextPage() on the awaited page, and walks that end
// with a typed error when a server repeats, stalls, runs on or sends garbage.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_PAGES,
  Grantex,
  GrantexApiError,
  GrantexError,
  GrantexInvalidArgumentError,
  GrantexPaginationError,
} from '../../src/index.js';
import { maxPagesOf } from '../../src/core/pagination.js';
import {
  agent,
  delivery,
  scimUser,
  startFakeServer,
  type FakeServer,
  type Reply,
  type SeenRequest,
} from './fake-server.js';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function clientFor(reply: (request: SeenRequest, index: number) => Reply) {
  server = await startFakeServer(reply);
  return {
    client: new Grantex({ apiKey: 'gx_test_key', scimToken: 'scim_token', baseUrl: server.url, maxRetries: 0 }),
    requests: server.requests,
  };
}

const query = (request: SeenRequest) => new URL(request.url, 'http://x').searchParams;

/** A well-behaved deliveries endpoint with `total` deliveries. */
function deliveries(total: number) {
  return (request: SeenRequest): Reply => {
    const page = Number(query(request).get('page') ?? 1);
    const pageSize = Number(query(request).get('pageSize') ?? 20);
    const first = (page - 1) * pageSize;
    const items = Array.from({ length: Math.max(0, Math.min(pageSize, total - first)) }, (_, i) =>
      delivery(`whd_${first + i}`),
    );
    return { status: 200, body: { deliveries: items, total, page, pageSize } };
  };
}

async function failure(walk: () => Promise<unknown>): Promise<unknown> {
  try {
    await walk();
  } catch (error) {
    return error;
  }
  throw new Error('the walk ended without an error');
}

async function collect<T>(list: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of list) items.push(item);
  return items;
}

describe('pages', () => {
  it('the awaited page has the body fields and walks on with getNextPage()', async () => {
    const { client, requests } = await clientFor(deliveries(5));
    const first = await client.webhooks.listDeliveries('wh_1', { pageSize: 2 });
    expect(JSON.parse(JSON.stringify(first))).toEqual({
      deliveries: [delivery('whd_0'), delivery('whd_1')],
      total: 5,
      page: 1,
      pageSize: 2,
    });
    expect(first.hasNextPage()).toBe(true);
    const { data: second, response } = await first.getNextPage().withResponse();
    expect(response.status).toBe(200);
    expect(second.deliveries.map((d) => d.id)).toEqual(['whd_2', 'whd_3']);
    const third = await second.getNextPage();
    expect(third.deliveries.map((d) => d.id)).toEqual(['whd_4']);
    expect(third.hasNextPage()).toBe(false);
    const error = await failure(() => third.getNextPage());
    expect(error).toBeInstanceOf(GrantexPaginationError);
    expect((error as GrantexPaginationError).code).toBe('ERR_NO_NEXT_PAGE');
    // Iterating a page walks from it to the end.
    expect((await collect(second)).map((d) => d.id)).toEqual(['whd_2', 'whd_3', 'whd_4']);
    expect(requests.map((r) => query(r).get('page'))).toEqual([null, '2', '3', '3']);
  });

  it('a list the API does not page has no next page', async () => {
    const { client, requests } = await clientFor(() => ({ status: 200, body: { agents: [agent] } }));
    const page = await client.agents.list();
    expect(page.agents).toEqual([agent]);
    expect(page.hasNextPage()).toBe(false);
    expect(await failure(() => page.getNextPage())).toBeInstanceOf(GrantexPaginationError);
    expect(await collect(page)).toEqual([agent]);
    expect(requests).toHaveLength(1);
  });

  it('SCIM users page with getNextPage() by startIndex', async () => {
    const { client } = await clientFor((request) => {
      const start = Number(query(request).get('startIndex') ?? 1);
      const Resources = start <= 2 ? [scimUser(`u${start}`, `u${start}`)] : [];
      return { status: 200, body: { schemas: [], totalResults: 2, startIndex: start, itemsPerPage: 1, Resources } };
    });
    const first = await client.scim.listUsers({ count: 1 });
    expect(first.hasNextPage()).toBe(true);
    const second = await first.getNextPage();
    expect(second.Resources[0]!.userName).toBe('u2');
    expect(second.hasNextPage()).toBe(false);
  });

  it('a "__proto__" or method-named field in the body cannot take the page methods away', async () => {
    const { client } = await clientFor(() => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"agents":[],"__proto__":{"polluted":true}}',
    }));
    const page = await client.agents.list();
    expect(page.hasNextPage()).toBe(false);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    server!.close();
    const hostile = await clientFor(() => ({ status: 200, body: { agents: [agent], hasNextPage: true } }));
    const error = await failure(() => hostile.client.agents.list());
    expect(error).toMatchObject({ code: 'INVALID_RESPONSE' });
  });
});

describe('walks are bounded', () => {
  it('a server that ignores the page number ends the walk with INVALID_RESPONSE after two requests', async () => {
    const { client, requests } = await clientFor(() => ({
      status: 200,
      body: { deliveries: [delivery('whd_0')], total: 1000, page: 1, pageSize: 1 },
    }));
    const error = await failure(() => collect(client.webhooks.listDeliveries('wh_1')));
    expect(error).toBeInstanceOf(GrantexApiError);
    expect(error).toMatchObject({ code: 'INVALID_RESPONSE', statusCode: 200 });
    expect((error as Error).message).toMatch(/does not advance/);
    expect(requests).toHaveLength(2);
  });

  it('a server that echoes the page number but repeats the items ends the walk with INVALID_RESPONSE', async () => {
    const { client, requests } = await clientFor((request) => ({
      status: 200,
      body: {
        deliveries: [delivery('whd_0'), delivery('whd_1')],
        total: 1000,
        page: Number(query(request).get('page') ?? 1),
        pageSize: 2,
      },
    }));
    const error = await failure(() => collect(client.webhooks.listDeliveries('wh_1')));
    expect(error).toMatchObject({ code: 'INVALID_RESPONSE' });
    expect((error as Error).message).toMatch(/repeats/);
    expect(requests).toHaveLength(2);
  });

  it('SCIM: a startIndex that does not grow ends the walk', async () => {
    const { client, requests } = await clientFor((_request, index) => ({
      status: 200,
      body: {
        schemas: [],
        totalResults: 100,
        startIndex: 1,
        itemsPerPage: 1,
        Resources: [scimUser(`u${index}`, `u${index}`)],
      },
    }));
    expect(await failure(() => collect(client.scim.listUsers()))).toMatchObject({ code: 'INVALID_RESPONSE' });
    expect(requests).toHaveLength(2);
  });

  it('a walk that never ends stops at maxPages with ERR_PAGE_LIMIT', async () => {
    const { client, requests } = await clientFor(deliveries(Number.MAX_SAFE_INTEGER));
    const seen: string[] = [];
    const error = await failure(async () => {
      for await (const delivery of client.webhooks.listDeliveries('wh_1', { pageSize: 1 }, { maxPages: 7 }))
        seen.push(delivery.id);
    });
    expect(error).toBeInstanceOf(GrantexPaginationError);
    expect((error as GrantexPaginationError).code).toBe('ERR_PAGE_LIMIT');
    expect(seen).toHaveLength(7);
    expect(requests).toHaveLength(7);
  });

  it('without maxPages a walk is bounded by the documented default of 1000 pages', () => {
    expect(maxPagesOf(undefined)).toBe(DEFAULT_MAX_PAGES);
    expect(maxPagesOf({})).toBe(1000);
    expect(maxPagesOf({ maxPages: 3 })).toBe(3);
  });

  it.each([0, -1, 1.5, Number.NaN, '3'])('maxPages %s is refused before anything is sent', async (maxPages) => {
    const { client, requests } = await clientFor(deliveries(5));
    expect(() => client.webhooks.listDeliveries('wh_1', {}, { maxPages: maxPages as number })).toThrow(
      GrantexInvalidArgumentError,
    );
    expect(() => client.scim.listUsers({}, { maxPages: maxPages as number })).toThrow(GrantexInvalidArgumentError);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(requests).toHaveLength(0);
  });
});

describe('malformed pages', () => {
  const notAList = fc.oneof(
    fc.constant(null),
    fc.string(),
    fc.integer(),
    fc.boolean(),
    fc.dictionary(fc.string(), fc.integer()),
  );
  const notACounter = fc.oneof(
    fc.constant(null),
    fc.string(),
    fc.double({ noInteger: true }),
    fc.integer({ max: -1 }),
    fc.array(fc.integer()),
  );

  it.each([
    ['deliveries', (bad: unknown) => ({ deliveries: bad, total: 5, page: 1, pageSize: 2 }), notAList],
    ['page', (bad: unknown) => ({ deliveries: [delivery('whd_0')], total: 5, page: bad, pageSize: 2 }), notACounter],
    [
      'pageSize',
      (bad: unknown) => ({ deliveries: [delivery('whd_0')], total: 5, page: 1, pageSize: bad }),
      notACounter,
    ],
    ['total', (bad: unknown) => ({ deliveries: [delivery('whd_0')], total: bad, page: 1, pageSize: 2 }), notACounter],
  ] as const)('a wrong "%s" is INVALID_RESPONSE, never a raw TypeError', async (_field, body, bad) => {
    let current: unknown;
    const { client } = await clientFor(() => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(current),
    }));
    await fc.assert(
      fc.asyncProperty(bad, async (value) => {
        current = body(value);
        const error = await failure(() => collect(client.webhooks.listDeliveries('wh_1')));
        expect(error).toBeInstanceOf(GrantexApiError);
        expect(error).toMatchObject({ code: 'INVALID_RESPONSE' });
      }),
      { numRuns: 40 },
    );
  });

  it('any JSON answer ends a walk with items or a GrantexError, on the first or a later page', async () => {
    let later: unknown;
    const { client } = await clientFor((_request, index) => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(
        index % 2 === 0 ? { deliveries: [delivery('whd_0')], total: 3, page: 1, pageSize: 1 } : later,
      ),
    }));
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        later = value;
        try {
          expect(Array.isArray(await collect(client.webhooks.listDeliveries('wh_1')))).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(GrantexError);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a first page that is not an object fails when awaited', async () => {
    const { client } = await clientFor(() => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '[1,2]',
    }));
    expect(await failure(() => client.agents.list())).toMatchObject({ code: 'INVALID_RESPONSE' });
  });
});
