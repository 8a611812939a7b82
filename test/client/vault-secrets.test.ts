// The vault exchange sends the agent's grant token instead of the API key and
// masks it like one: an error that echoes it, and the log, never show it.
import { describe, expect, it } from 'vitest';
import { Grantex, GrantexApiError } from '../../src/index.js';

describe('vault exchange credentials', () => {
  it('sends the grant token as the bearer and masks it in errors and logs', async () => {
    const grantToken = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJlLXNlY3JldA';
    const sent: string[] = [];
    const lines: string[] = [];
    const client = new Grantex({
      apiKey: 'gx_test_key',
      baseUrl: 'http://grantex.test',
      logLevel: 'debug',
      logger: {
        error: (m) => lines.push(m),
        warn: (m) => lines.push(m),
        info: (m) => lines.push(m),
        debug: (m) => lines.push(m),
      },
      fetch: async (input, init) => {
        sent.push(new Headers(new Request(input, init).headers).get('authorization') ?? '');
        return Response.json(
          { message: `Invalid or expired grant token ${grantToken}`, code: 'UNAUTHORIZED', requestId: 'r1' },
          { status: 401 },
        );
      },
    });
    const error = await client.vault.exchange(grantToken, { service: 'github' }).catch((e: unknown) => e);
    expect(sent).toEqual([`Bearer ${grantToken}`]);
    expect(error).toBeInstanceOf(GrantexApiError);
    expect(JSON.stringify({ message: (error as Error).message, body: (error as GrantexApiError).body })).not.toContain(
      grantToken,
    );
    expect(lines.join('\n')).not.toContain(grantToken);
    expect(() => client.vault.exchange('two words', { service: 'github' })).toThrow(/grantToken/);
  });
});
