/**
 * @module test/conformance/terminal-safety
 * The pieces that keep server text harmless: `visible` leaves no control
 * character, `shellQuote` words mean exactly their text to bash, the report
 * sanitizer reaches every field, redaction finds a key in every form it is
 * shown in, and validation of a huge invalid body stays linear (first error).
 */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sanitizeReport } from '../../conformance/engine/safety/report.js';
import type { RunReport } from '../../conformance/engine/run-report.js';
import { hasControl, shellQuote, visible } from '../../conformance/engine/safety/terminal.js';
import { ContractValidator } from '../../conformance/http/contract.js';
import { redactSecrets, toCurl } from '../../conformance/http/http.js';
import type { Exchange } from '../../conformance/engine/types.js';

const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const hostileChar = fc.oneof(
  fc.integer({ min: 0, max: 0x20 }).map((code) => String.fromCharCode(code)),
  fc.integer({ min: 0x7f, max: 0x9f }).map((code) => String.fromCharCode(code)),
  fc.constantFrom('\u202e', '\u2066', '\u2028', "'", '"', '\\', '$', '`', '!', 'é', '😀', 'a', ' '),
);
const hostileString = fc.array(hostileChar, { maxLength: 40 }).map((chars) => chars.join(''));

describe('visible', () => {
  it('leaves no control character, keeps newlines only when asked, and changes nothing else', () => {
    fc.assert(
      fc.property(hostileString, (text) => {
        expect(RAW_CONTROL.test(visible(text))).toBe(false);
        expect(visible(text).includes('\n')).toBe(false);
        expect(RAW_CONTROL.test(visible(text, { keepNewlines: true }))).toBe(false);
        if (!hasControl(text)) expect(visible(text)).toBe(text);
      }),
    );
    expect(visible('a\u001b[2J\rb')).toBe('a\\x1b[2J\\x0db');
  });
});

describe('shellQuote', () => {
  it('is one bash word that stands for exactly the text, printable whatever the text holds', () => {
    const texts = fc.sample(
      hostileString.filter((text) => !text.includes('\u0000')),
      { numRuns: 60, seed: 20 },
    );
    const script = texts.map((text) => `printf '%s\\0' ${shellQuote(text)}`).join('\n');
    for (const text of texts) expect(RAW_CONTROL.test(shellQuote(text))).toBe(false);
    const run = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.split('\u0000').slice(0, -1)).toEqual(texts);
  });

  it('transcripts quote server values that way', () => {
    const exchange: Exchange = {
      seq: 1,
      method: 'GET',
      url: "http://127.0.0.1:1/v1/agents/a'b\u001b[2J$(touch pwned)",
      target: '/v1/agents/x',
      requestHeaders: {},
      status: 200,
      responseHeaders: {},
      responseText: 'ok\u001b]0;title\u0007\rRESULT: PASS',
      body: undefined,
      durationMs: 1,
      violations: ['x \u009b2J'],
    };
    const curl = toCurl(exchange);
    expect(RAW_CONTROL.test(curl)).toBe(false);
    expect(curl).toContain("$'http://127.0.0.1:1/v1/agents/a\\'b\\x1b[2J$(touch pwned)'");
  });
});

describe('redaction', () => {
  it('finds a key as sent, JSON-escaped once or twice, percent-encoded, and cut off by a shortened value', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'aZ09_-"\\/+=% é'.split('')), minLength: 12, maxLength: 40 }),
        fc.integer({ min: 8, max: 11 }),
        (key, cut) => {
          const secrets = new Map([[key, 'GRANTEX_API_KEY']]);
          const once = JSON.stringify(key);
          for (const shown of [key, once, JSON.stringify(once), encodeURIComponent(key), `${key.slice(0, cut)}…`]) {
            const out = redactSecrets(`observed: ${shown} end`, secrets);
            expect(out).toContain('$GRANTEX_API_KEY');
            expect(out.includes(key.slice(0, 8))).toBe(false);
          }
        },
      ),
    );
  });

  it('sanitizes every string of a report, whatever its shape, but the throwaway keys', () => {
    const key = 'gx_live_users-key-0123456789';
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), hostileString, (shape, text) => {
        const hostile = `${text}${key}${text}`;
        const report = {
          results: [
            {
              message: hostile,
              observed: hostile,
              notes: [hostile],
              transcript: [`curl x\n# ${hostile}`],
              extra: shape,
            },
          ],
          notes: [hostile],
          fatal: hostile,
          createdKeys: [{ label: 'GRANTEX_API_KEY', secret: 'gx_test_throwaway' }],
        } as unknown as RunReport;
        const clean = sanitizeReport(report, (value) => redactSecrets(value, new Map([[key, 'GRANTEX_API_KEY']])));
        const text2 = JSON.stringify(clean);
        expect(text2.includes(key)).toBe(false);
        const strings: string[] = [];
        JSON.parse(text2, (_name, value: unknown) => {
          if (typeof value === 'string') strings.push(value);
          return value;
        });
        for (const value of strings) {
          expect(RAW_CONTROL.test(value), JSON.stringify(value)).toBe(false);
          if (value !== clean.results[0]?.transcript?.[0] && value !== clean.fatal)
            expect(value.includes('\n')).toBe(false);
        }
        expect(clean.createdKeys).toEqual([{ label: 'GRANTEX_API_KEY', secret: 'gx_test_throwaway' }]);
      }),
      { numRuns: 50 },
    );
  });
});

describe('validation of a huge invalid body', () => {
  it('reports the first error of 100,000 invalid items, and every error of a small body', () => {
    const contract = ContractValidator.bundled();
    const exchange = (items: unknown[]): Exchange => {
      const text = JSON.stringify({ agents: items });
      return {
        seq: 1,
        method: 'GET',
        url: 'http://127.0.0.1:1/v1/agents',
        target: '/v1/agents',
        requestHeaders: {},
        status: 200,
        responseHeaders: { 'content-type': 'application/json' },
        responseText: text,
        body: JSON.parse(text),
        durationMs: 1,
        violations: [],
      };
    };
    const huge = contract.validate(exchange(Array.from({ length: 100_000 }, (_, i) => ({ agentId: i }))));
    expect(huge[0]).toMatch(/^body \/agents\/0/);
    expect(huge.at(-1)).toMatch(/first error only: a body of \d+ characters/);
    expect(huge.length).toBeLessThanOrEqual(7);
    const small = contract.validate(exchange([{ agentId: 1 }, { agentId: 2 }]));
    expect(small.length).toBeGreaterThan(1);
    expect(small.join('\n')).not.toMatch(/first error only/);
  });
});
