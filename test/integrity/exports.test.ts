import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as integrity from '../../src/integrity/index.js';
import { GrantexError } from '../../src/core/errors.js';

describe('src/integrity/index.ts', () => {
  it('exports the public API and error classes rooted at GrantexError', () => {
    expect(Object.keys(integrity).sort()).toEqual(
      [
        'GrantexAuditError',
        'GrantexPkceError',
        'GrantexTokenError',
        'GrantexWebhookError',
        'computeAuditHash',
        'computeCodeChallenge',
        'createGrantVerifier',
        'generatePkce',
        'isValidCodeVerifier',
        'signWebhookPayload',
        'verifyAuditChain',
        'verifyCodeChallenge',
        'verifyGrantToken',
        'verifyWebhook',
        'verifyWebhookSignature',
      ].sort(),
    );
    for (const ErrorClass of [
      integrity.GrantexAuditError,
      integrity.GrantexPkceError,
      integrity.GrantexTokenError,
      integrity.GrantexWebhookError,
    ]) {
      expect(ErrorClass.prototype).toBeInstanceOf(GrantexError);
    }
  });

  it('keeps node: imports out of every module the entry reaches (runtime-neutral)', () => {
    const files = [
      'src/integrity/index.ts',
      'src/integrity/pkce.ts',
      'src/integrity/webhook-signature.ts',
      'src/integrity/audit-chain.ts',
      'src/internal/bytes.ts',
      ...readdirSync('src/integrity/verify').map((f) => `src/integrity/verify/${f}`),
    ];
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      expect({ file, nodeImport: /from\s+['"]node:|import\(\s*['"]node:|require\(/.test(source) }).toEqual({
        file,
        nodeImport: false,
      });
    }
  });
});
