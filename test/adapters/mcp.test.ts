/**
 * grantex/mcp on a real MCP server (the official SDK's Streamable HTTP
 * transport on 127.0.0.1): a guarded tool runs for the valid grant token and
 * answers an error result, naming the RFC 6750 error, for every token of the
 * relying-party kit's corpus.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { goodHeader, goodPayload, RP_CASES, type RpProfile } from '../../conformance/rp/corpus.js';
import { startTestIssuer, type TestIssuer } from '../../conformance/rp/issuer.js';
import { guardTool } from '../../src/adapters/mcp.js';

const AUDIENCE = 'https://mcp.api.test';
let issuer: TestIssuer;
let server: Server;
let url: URL;

function mcpServer(): McpServer {
  const mcp = new McpServer({ name: 'calendar', version: '1.0.0' });
  mcp.registerTool(
    'list_events',
    { description: 'Lists events', inputSchema: { day: z.string() } },
    guardTool(
      {
        jwksUri: issuer.jwksUri,
        issuer: issuer.issuer,
        audience: AUDIENCE,
        scopes: ['calendar:read'],
        online: { online: { baseUrl: issuer.issuer, apiKey: 'gx_test_rp' } },
      },
      async ({ day }, extra) => ({
        content: [{ type: 'text' as const, text: `events of ${day} for ${extra.grant.principalId}` }],
      }),
    ),
  );
  return mcp;
}

beforeAll(async () => {
  issuer = await startTestIssuer();
  server = createServer((incoming, response) => {
    const request = incoming as typeof incoming & { auth?: AuthInfo };
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (token !== undefined) request.auth = { token, clientId: 'test-agent', scopes: [] };
    // Stateless Streamable HTTP (no session id generator): one server and transport per request.
    const transport = new StreamableHTTPServerTransport({});
    const mcp = mcpServer();
    response.on('close', () => {
      void transport.close();
      void mcp.close();
    });
    mcp.connect(transport).then(() => transport.handleRequest(request, response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await issuer.close();
});

async function callTool(token: string | undefined) {
  const client = new Client({ name: 'agent', version: '1.0.0' });
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers } });
  await client.connect(transport);
  try {
    return (await client.callTool({ name: 'list_events', arguments: { day: '2026-12-05' } })) as {
      isError?: boolean;
      content: Array<{ type: string; text: string }>;
    };
  } finally {
    await client.close();
  }
}

const profile = (): RpProfile => ({
  scopes: ['calendar:read'],
  audience: AUDIENCE,
  maxDelegationDepth: 10,
  online: true,
  now: Math.floor(Date.now() / 1000),
});

describe('grantex/mcp guardTool', () => {
  it('runs the tool for a valid grant token, with the grant', async () => {
    const result = await callTool(issuer.signGood(goodHeader(issuer), goodPayload(issuer, profile())));
    expect(result.isError).toBeFalsy();
    expect(result.content[0]!.text).toBe('events of 2026-12-05 for user_rpkit');
  });

  it('refuses a call without a token', async () => {
    const result = await callTool(undefined);
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toMatch(/^unauthorized: /);
  });

  it.each(RP_CASES.map((c) => [c.id, c] as const))('refuses the %s token', async (_id, rpCase) => {
    const token = rpCase.token(issuer, profile());
    const result = await callTool(token);
    expect(result.isError).toBe(true);
    const text = result.content[0]!.text;
    expect(text.startsWith(`${rpCase.error}: `), text).toBe(true);
    if (rpCase.error === 'insufficient_scope') expect(text).toContain('needs scope: calendar:read');
    expect(text).not.toContain(token.split('.')[1]!);
  });
});
