// Types you can trust (issue 24). The `@ts-expect-error` lines are checked by
// `tsc --noEmit` (part of `npm test`): each fails the type check if the line
// below it compiles. The runtime assertions check what the types promise.
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { DocumentedErrorCodes } from '../../generated/error-codes.js';
import {
  Grantex,
  GrantexInvalidArgumentError,
  type Agent,
  type AuditEntry,
  type AuthorizeParams,
  type ErrorCodeFor,
  type Grant,
  type GrantexNotFoundError,
  type GrantexPermissionDeniedError,
  type Webhook,
} from '../../src/index.js';
import { agent, startFakeServer } from './fake-server.js';

describe('named model types from the spec', () => {
  it('are the spec schemas, closed where the spec lists the fields', () => {
    const a: Agent = agent as Agent;
    expectTypeOf(a.agentId).toEqualTypeOf<string>();
    // @ts-expect-error a misspelt field does not compile: Agent has no index signature
    void a.agentID;
    expectTypeOf<Grant['grantId']>().toEqualTypeOf<string>();
    expectTypeOf<AuditEntry['prevHash']>().toEqualTypeOf<string | null>();
    expectTypeOf<Webhook>().toHaveProperty('url');
    // Open schemas (metadata maps) keep their index signature.
    expectTypeOf<AuditEntry['metadata']>().not.toBeNever();
    expect(a.agentId).toBe(agent.agentId);
  });

  it('extra fields in a response stay allowed at run time (the extra-fields variant)', async () => {
    const server = await startFakeServer(() => ({ status: 200, body: { ...agent, addedLater: 1 } }));
    try {
      const client = new Grantex({ apiKey: 'gx_test_key', baseUrl: server.url, logLevel: 'off' });
      const got = await client.agents.get(agent.agentId);
      expect((got as unknown as Record<string, unknown>).addedLater).toBe(1);
    } finally {
      await server.close();
    }
  });
});

describe('error code unions per status', () => {
  it('type code as the documented codes, with string as a fallback', () => {
    expectTypeOf<'FORBIDDEN'>().toExtend<GrantexPermissionDeniedError['code']>();
    expectTypeOf<'POLICY_DENIED'>().toExtend<GrantexPermissionDeniedError['code']>();
    expectTypeOf<'NOT_FOUND'>().toExtend<GrantexNotFoundError['code']>();
    expectTypeOf<'SOMETHING_NEW'>().toExtend<ErrorCodeFor<404>>();
    expectTypeOf<DocumentedErrorCodes[403]>().toEqualTypeOf<
      'CONSENT_REQUIRED' | 'DELEGATION_DEPTH_EXCEEDED' | 'FIDO_REQUIRED' | 'FORBIDDEN' | 'POLICY_DENIED'
    >();
    const documented: DocumentedErrorCodes[429][] = ['RATE_LIMITED', 'RATE_LIMIT_EXCEEDED'];
    expect(documented).toHaveLength(2);
  });
});

describe('authorize() PKCE parameters', () => {
  const base = { agentId: 'ag_1', principalId: 'user_42', scopes: ['calendar:read'] };
  it('codeChallenge requires codeChallengeMethod, in the types and at run time', async () => {
    const both: AuthorizeParams = { ...base, codeChallenge: 'a'.repeat(43), codeChallengeMethod: 'S256' };
    const neither: AuthorizeParams = base;
    // @ts-expect-error codeChallenge without codeChallengeMethod does not compile
    const half: AuthorizeParams = { ...base, codeChallenge: 'a'.repeat(43) };
    // @ts-expect-error codeChallengeMethod without codeChallenge does not compile
    const otherHalf: AuthorizeParams = { ...base, codeChallengeMethod: 'S256' };
    const server = await startFakeServer(() => ({ status: 500 }));
    try {
      const client = new Grantex({ apiKey: 'gx_test_key', baseUrl: server.url, logLevel: 'off' });
      for (const params of [half, otherHalf])
        expect(() => client.authorize(params)).toThrow(GrantexInvalidArgumentError);
      expect(server.requests).toHaveLength(0);
      expect(both.codeChallengeMethod).toBe('S256');
      expect(neither).not.toHaveProperty('codeChallenge');
    } finally {
      await server.close();
    }
  });
});
