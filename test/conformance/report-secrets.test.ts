/**
 * @module test/conformance/report-secrets
 * No report carries a usable credential the server issued: failures against a
 * faulty server show transcripts full of grant and refresh tokens, and every
 * report form hides their signatures and values.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../conformance/cli/cli.js';
import { redactIssuedSecrets } from '../../conformance/http/http.js';
import { startReferenceServer, type ReferenceServer } from '../../conformance/reference/server.js';

const FULL_JWT = /eyJ[\w-]{2,}\.[\w-]{2,}\.[\w-]{16,}/;

describe('reports hide issued credentials', () => {
  let faulty: ReferenceServer;
  let dir: string;
  const reports: Record<string, string> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gxc-secrets-'));
    faulty = await startReferenceServer({
      faults: ['refresh-token-reusable', 'pkce-ignored'],
      onError: () => undefined,
    });
    const spies = [
      vi.spyOn(process.stdout, 'write').mockImplementation(() => true),
      vi.spyOn(process.stderr, 'write').mockImplementation(() => true),
    ];
    try {
      for (const format of ['json', 'text', 'junit', 'html']) {
        const file = join(dir, `report.${format}`);
        const code = await main(
          [
            '--base-url',
            faulty.url,
            '--only',
            'tokens',
            '--seed',
            '3',
            '--runs',
            '2',
            '--report',
            format,
            '--out',
            file,
          ],
          {},
        );
        expect(code).toBe(1);
        reports[format] = readFileSync(file, 'utf8');
      }
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  }, 180_000);

  afterAll(async () => {
    await faulty?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(['json', 'text', 'junit', 'html'])('the %s report shows transcripts but no whole token', (format) => {
    const report = reports[format]!;
    expect(report).toMatch(/curl /); // the failures do carry transcripts
    expect(report).not.toMatch(FULL_JWT);
    expect(report).not.toMatch(/"refreshToken"\s*:\s*"(?!<redacted>)/);
  });

  it('keeps a JWT readable but unusable, and hides secret members', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzQyIn0.c2lnbmF0dXJlLXRoYXQtaXMtbG9uZy1lbm91Z2g';
    expect(redactIssuedSecrets(`token ${jwt} end`)).toBe(
      'token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzQyIn0.<signature redacted> end',
    );
    expect(redactIssuedSecrets('{"clientSecret":"s3cr3t-value","name":"x","secret":"whsec_abcdef"}')).toBe(
      '{"clientSecret":"<redacted>","name":"x","secret":"<redacted>"}',
    );
    expect(redactIssuedSecrets('{"refreshToken": "rt_0123456789"}')).toBe('{"refreshToken": "<redacted>"}');
  });

  it('hides vault tokens, SSO and LDAP secrets and DPDP personal data in captured bodies', () => {
    // Real shapes from the public server's answers (test/fixtures/operations), with their values replaced.
    const vault = '{"accessToken":"gho_live_token_value","service":"github","credentialType":"oauth2"}';
    expect(redactIssuedSecrets(vault)).toBe(
      '{"accessToken":"<redacted>","service":"github","credentialType":"oauth2"}',
    );
    const ldap = '{"name":"Directory","protocol":"ldap","ldapBindPassword":"bind-pass-123","clientSecret":"cs-456789"}';
    expect(redactIssuedSecrets(ldap)).not.toMatch(/bind-pass-123|cs-456789/);
    const login = '{"username":"alice","password":"correct horse","connectionId":"sso_1","org":"dev_1"}';
    expect(redactIssuedSecrets(login)).not.toContain('correct horse');
    const record =
      '{"recordId":"crec_1","dataPrincipalId":"priya.sharma","dataFiduciaryContact":"dpo@acme.in","email":"priya@example.in","phone":"+91 98765 43210"}';
    const shown = redactIssuedSecrets(record);
    for (const value of ['priya.sharma', 'dpo@acme.in', 'priya@example.in', '98765'])
      expect(shown).not.toContain(value);
    expect(shown).toContain('"recordId":"crec_1"');
  });
});
