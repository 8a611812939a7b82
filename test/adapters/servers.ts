/**
 * Test apps: one small protected API per framework, each on 127.0.0.1 and a
 * free port, each guarded by its grantex adapter with the same options.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { requireGrant as expressGrant, grantOf } from '../../src/adapters/express.js';
import { requireGrant as fastifyGrant, grantOf as fastifyGrantOf } from '../../src/adapters/fastify.js';
import { type GrantVariables, requireGrant as honoGrant } from '../../src/adapters/hono.js';
import { withGrant } from '../../src/adapters/next.js';
import type { RequireGrantOptions, VerifiedGrant } from '../../src/adapters/require-grant.js';

export interface RunningApp {
  /** The protected endpoint. */
  url: string;
  close(): Promise<void>;
}

export type Framework = 'express' | 'hono' | 'fastify' | 'next';
export const FRAMEWORKS: readonly Framework[] = ['express', 'hono', 'fastify', 'next'];

const served = (grant: VerifiedGrant) => ({ principal: grant.principalId, scopes: grant.scopes });

export async function startApp(framework: Framework, options: RequireGrantOptions): Promise<RunningApp> {
  if (framework === 'express') {
    const app = express();
    app.get('/calendar', expressGrant(options), (req, res) => {
      res.json(served(grantOf(req)));
    });
    const server = await new Promise<import('node:http').Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/calendar`,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }
  if (framework === 'fastify') {
    const app = Fastify();
    app.decorateRequest('grant', null);
    app.get('/calendar', { preHandler: fastifyGrant(options) }, async (request) => served(fastifyGrantOf(request)));
    await app.listen({ port: 0, host: '127.0.0.1' });
    return {
      url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/calendar`,
      close: () => app.close(),
    };
  }
  const fetchHandler =
    framework === 'hono'
      ? new Hono<{ Variables: GrantVariables }>().get('/calendar', honoGrant(options), (c) =>
          c.json(served(c.var.grant)),
        ).fetch
      : nextRoute(options);
  const server = serve({ fetch: fetchHandler, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/calendar`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A Next.js App Router route module's GET export, served as a plain fetch handler. */
function nextRoute(options: RequireGrantOptions): (request: Request) => Promise<Response> {
  const GET = withGrant<{ params: Promise<Record<string, string>> }>(options, async (_request, _context, grant) =>
    Response.json(served(grant)),
  );
  return (request) =>
    new URL(request.url).pathname === '/calendar'
      ? GET(request, { params: Promise.resolve({}) })
      : Promise.resolve(new Response('not found', { status: 404 }));
}
