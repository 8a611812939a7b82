// A budget debit is sent once: not after a 503, not after a network error,
// and never with an Idempotency-Key (the public server does not honour one:
// two debits with the same key both applied on a local build of it).
import { describe, expect, it } from 'vitest';
import { Grantex, GrantexConfigError } from '../../src/index.js';
import type { RequestOptions } from '../../src/types.js';

function counting(answer: () => Response | Promise<Response>) {
  const sent: Request[] = [];
  const client = new Grantex({
    apiKey: 'gx_test_key',
    baseUrl: 'http://grantex.test',
    maxRetries: 3,
    retryDelay: 0,
    logLevel: 'off',
    fetch: async (input, init) => {
      sent.push(new Request(input, init));
      return answer();
    },
  });
  return { client, sent };
}

describe('budgets.debit is single-use', () => {
  it('is not retried after a 503 or a network error, while a GET on the same client is', async () => {
    const busy = counting(() =>
      Response.json({ message: 'busy', code: 'SERVICE_UNAVAILABLE', requestId: 'r' }, { status: 503 }),
    );
    await expect(busy.client.budgets.debit({ grantId: 'grnt_1', amount: 1 })).rejects.toMatchObject({
      statusCode: 503,
    });
    expect(busy.sent).toHaveLength(1);
    await expect(busy.client.budgets.balance('grnt_1')).rejects.toMatchObject({ statusCode: 503 });
    expect(busy.sent).toHaveLength(5);

    const down = counting(() => Promise.reject(new TypeError('socket hang up')));
    await expect(down.client.budgets.debit({ grantId: 'grnt_1', amount: 1 })).rejects.toMatchObject({
      name: 'GrantexNetworkError',
    });
    expect(down.sent).toHaveLength(1);
  });

  it('refuses an Idempotency-Key forced through untyped options, sending nothing, and stays single-use', async () => {
    const busy = counting(() =>
      Response.json({ message: 'busy', code: 'SERVICE_UNAVAILABLE', requestId: 'r' }, { status: 503 }),
    );
    const forced = { idempotencyKey: 'k-1' } as RequestOptions;
    expect(() => busy.client.budgets.debit({ grantId: 'grnt_1', amount: 1 }, forced)).toThrow(GrantexConfigError);
    expect(busy.sent).toHaveLength(0);
    const retries = { maxRetries: 5 } as RequestOptions;
    await expect(busy.client.budgets.debit({ grantId: 'grnt_1', amount: 1 }, retries)).rejects.toMatchObject({
      statusCode: 503,
    });
    expect(busy.sent).toHaveLength(1);
    expect(busy.sent[0]!.headers.get('idempotency-key')).toBeNull();
  });
});
