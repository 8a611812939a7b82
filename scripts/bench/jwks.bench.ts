/**
 * The remote JWKS at a hostile boundary (issue 9), with its servers in their
 * own processes:
 * - memory: a 200 MiB JWKS body (chunked, sent as fast as it is read) must
 *   fail with `jwks_unavailable` while this process's peak RSS grows by less
 *   than 64 MB. Peak RSS is the larger of `process.resourceUsage().maxRSS`
 *   and an RSS sample taken every 5 ms, against the RSS just before the fetch;
 * - outage: after one good fetch the server answers 503; once the set is
 *   stale, 200 sequential and then 200 concurrent verifications must make at
 *   most 3 requests in all (counted by the server), and keep verifying from
 *   the last good set (default `staleIfError`) or all fail closed
 *   (`staleIfError: 0`).
 * Environment: HUGE_BYTES (default 200 MiB).
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { createGrantVerifier } from '../../src/integrity/verify/grant-token.js';
import { GrantexTokenError } from '../../src/integrity/verify/errors.js';
import { describeLoad, startServerProcess } from './support.js';

const MiB = 1024 * 1024;
const HUGE_BYTES = Number(process.env.HUGE_BYTES ?? 200 * MiB);
const RSS_GOAL = 64 * 1e6;
const REQUEST_GOAL = 3;
const KID = 'bench-jwks';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' }] };
const now = Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const input = `${b64({ alg: 'RS256', kid: KID })}.${b64({
  jti: 'tok_1',
  grnt: 'grnt_1',
  sub: 'user_1',
  agt: 'did:grantex:ag_1',
  dev: 'dev_1',
  iss: 'https://auth.example.test',
  scp: ['calendar:read'],
  iat: now - 60,
  exp: now + 3600,
})}`;
const token = `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;

async function outcome(pending: Promise<unknown>): Promise<string> {
  try {
    await pending;
    return 'ok';
  } catch (error) {
    if (error instanceof GrantexTokenError) return error.code;
    throw error;
  }
}

function tally(codes: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const code of codes) counts.set(code, (counts.get(code) ?? 0) + 1);
  return [...counts].map(([code, count]) => `${count} ${code}`).join(', ');
}

async function memory(): Promise<boolean> {
  const server = await startServerProcess('servers/jwks.ts', { MODE: 'huge', HUGE_BYTES: String(HUGE_BYTES) });
  try {
    const verifier = createGrantVerifier({
      jwksUri: `${server.origin}/.well-known/jwks.json`,
      timeoutDuration: 120_000,
    });
    const before = process.memoryUsage().rss;
    let sampled = before;
    const sampler = setInterval(() => {
      sampled = Math.max(sampled, process.memoryUsage().rss);
    }, 5);
    const start = performance.now();
    const code = await outcome(verifier.verify(token));
    const ms = performance.now() - start;
    clearInterval(sampler);
    const peak = Math.max(sampled, process.resourceUsage().maxRSS * 1024);
    const growth = peak - before;
    const met = code === 'jwks_unavailable' && growth < RSS_GOAL;
    console.log(`\nmemory: a ${(HUGE_BYTES / MiB).toFixed(0)} MiB JWKS body`);
    console.log(`  outcome ${code} after ${ms.toFixed(0)} ms`);
    console.log(
      `  RSS before ${(before / 1e6).toFixed(1)} MB, peak ${(peak / 1e6).toFixed(1)} MB: growth ${(growth / 1e6).toFixed(1)} MB  goal < 64 MB and jwks_unavailable: ${met ? 'met' : 'NOT met'}`,
    );
    return met;
  } finally {
    await server.close();
  }
}

async function outage(staleIfError: number | undefined): Promise<boolean> {
  const server = await startServerProcess('servers/jwks.ts', { MODE: 'outage', JWKS: JSON.stringify(jwks) });
  try {
    const options = staleIfError === undefined ? {} : { staleIfError };
    const verifier = createGrantVerifier({
      jwksUri: `${server.origin}/.well-known/jwks.json`,
      cacheMaxAge: 300,
      cacheSize: 0,
      ...options,
    });
    const first = await outcome(verifier.verify(token));
    await new Promise((resolve) => setTimeout(resolve, 400)); // the set is now stale and the server down
    const sequential: string[] = [];
    for (let i = 0; i < 200; i++) sequential.push(await outcome(verifier.verify(token)));
    const concurrent = await Promise.all(Array.from({ length: 200 }, () => outcome(verifier.verify(token))));
    const { requests } = (await (await fetch(`${server.origin}/requests`)).json()) as { requests: number };
    const expected = staleIfError === 0 ? 'jwks_unavailable' : 'ok';
    const all = [...sequential, ...concurrent];
    const met = first === 'ok' && requests <= REQUEST_GOAL && all.every((code) => code === expected);
    console.log(
      `\noutage, staleIfError ${staleIfError === undefined ? 'default (1 h)' : staleIfError}: first verification ${first}, then the server answers 503`,
    );
    console.log(`  200 sequential: ${tally(sequential)}; 200 concurrent: ${tally(concurrent)}`);
    console.log(
      `  JWKS requests in all: ${requests} (1 good + ${requests - 1} during the outage)  goal <= ${REQUEST_GOAL} and all ${expected}: ${met ? 'met' : 'NOT met'}`,
    );
    return met;
  } finally {
    await server.close();
  }
}

async function main(): Promise<void> {
  console.log(`node ${process.version}; ${describeLoad()}`);
  const results = [await memory(), await outage(undefined), await outage(0)];
  console.log(`\n${describeLoad()}`);
  console.log(`goals ${results.every(Boolean) ? 'met' : 'NOT met'}`);
}

await main();
