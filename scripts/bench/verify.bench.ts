/**
 * verifyGrantToken against the practical limit: raw node:crypto RSA-SHA256
 * verification of the same tokens with the same claim checks, measured in the
 * same run. Goals (issue 4): >= 0.8x on 20k distinct tokens, >= 5x on one
 * repeated token. Each round (a chunk of tokens, every contender in turn)
 * gives its own ratio; the median of those is the figure. The JWKS server
 * runs in its own process. Every contender is given a tampered token (the
 * payload changed under the original signature) before and after the timed
 * rounds and must refuse it, or its figures print as VOID; the "decode only"
 * contender shows that the check bites. Environment: BENCH_TOKENS (default
 * 20000), BENCH_ROUNDS (passes over the repeated-token list, default 2),
 * BENCH_CHUNK (tokens per round, default 500; 2000 for the repeated token,
 * whose verifications are much shorter). The distinct tokens get a
 * single pass, so a caching verifier really sees each token once.
 */
import { createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { importJWK, jwtVerify } from 'jose';
import { createGrantVerifier, verifyGrantToken } from '../../src/integrity/verify/grant-token.js';
import type { Jwks } from '../../src/integrity/verify/jwks.js';
import { signatureBackend } from '../../src/integrity/verify/signature.js';
import { compare, describeLoad, report, startServerProcess, type Contender, type Result } from './support.js';
import { passportBench } from './passport.js';

const COUNT = Number(process.env.BENCH_TOKENS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const KID = 'bench-2026-11';
const WARMUP = 2000;
const REQUIRED_SCOPES = ['calendar:read'];
const signAsync = promisify(sign);

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' };
const jwks: Jwks = {
  keys: [
    jwk as Jwks['keys'][number],
    {
      kty: 'OKP',
      crv: 'Ed25519',
      x: 'H_fsayRrt1b7C0dyIgTlr7JPrcT5Nd98NgDkpFPKBKM',
      alg: 'EdDSA',
      use: 'sig',
      kid: 'ed',
    },
  ],
};
const now = Math.floor(Date.now() / 1000);

async function makeTokens(count: number): Promise<string[]> {
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: KID })).toString('base64url');
  const tokens: string[] = [];
  const batch = 64;
  for (let start = 0; start < count; start += batch) {
    const signed = await Promise.all(
      Array.from({ length: Math.min(batch, count - start) }, async (_, j) => {
        const i = start + j;
        const payload = Buffer.from(
          JSON.stringify({
            agt: `did:grantex:ag_${i}`,
            dev: 'dev_bench',
            scp: ['calendar:read', 'email:send'],
            grnt: `grnt_${i}`,
            iss: 'https://auth.example.test',
            sub: `user_${i}`,
            jti: `tok_${i}`,
            iat: now - 60,
            exp: now + 7200,
            aud: 'https://api.example.test',
          }),
        ).toString('base64url');
        const input = `${header}.${payload}`;
        return `${input}.${(await signAsync('sha256', Buffer.from(input), privateKey)).toString('base64url')}`;
      }),
    );
    tokens.push(...signed);
  }
  return tokens;
}

/** The practical limit: node:crypto verify plus the same checks, inline and synchronous. */
function rawVerifier(keys: Map<string, KeyObject>) {
  return (token: string) => {
    const parts = token.split('.');
    if (parts.length !== 3) throw new Error('parts');
    const [h, p, s] = parts as [string, string, string];
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg?: unknown; kid?: unknown };
    if (header.alg !== 'RS256' || typeof header.kid !== 'string') throw new Error('header');
    const key = keys.get(header.kid);
    if (key === undefined) throw new Error('kid');
    if (!verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))) throw new Error('signature');
    const c = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    const t = Math.floor(Date.now() / 1000);
    for (const name of ['jti', 'grnt', 'sub', 'agt', 'dev', 'iss'])
      if (typeof c[name] !== 'string') throw new Error(name);
    if (typeof c.exp !== 'number' || c.exp <= t - 5) throw new Error('exp');
    if (typeof c.iat !== 'number' || c.iat > t + 5) throw new Error('iat');
    if (!Array.isArray(c.scp) || !c.scp.every((x) => typeof x === 'string')) throw new Error('scp');
    if (!REQUIRED_SCOPES.every((x) => (c.scp as string[]).includes(x))) throw new Error('scope');
    return c;
  };
}

/** The token with `admin` added to its scopes, under its original signature: every verifier must refuse it. */
function tamper(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { scp: string[] };
  claims.scp = [...claims.scp, 'admin'];
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

/** Marks as void every contender that accepts `tampered`. */
async function voidAcceptors(
  contenders: readonly Contender[],
  results: Result[],
  tampered: string,
  when: string,
): Promise<void> {
  for (const [i, contender] of contenders.entries()) {
    let accepted = true;
    try {
      await contender.run(tampered);
    } catch {
      accepted = false;
    }
    if (accepted) results[i]!.voidReason ??= `accepted a tampered token ${when}`;
  }
}

/** Runs `compare`, voiding any contender that accepts the tampered token before or after the timed rounds. */
async function checkedCompare(
  contenders: readonly Contender[],
  tokens: readonly string[],
  tampered: string,
  options: Parameters<typeof compare>[2],
) {
  const before = contenders.map((c) => ({ name: c.name, wall: [], cpu: [], ops: [] }) as Result);
  await voidAcceptors(contenders, before, tampered, 'before timing');
  const results = await compare(contenders, tokens, options);
  for (const [i, result] of results.entries())
    if (before[i]!.voidReason !== undefined) result.voidReason = before[i]!.voidReason;
  await voidAcceptors(contenders, results, tampered, 'after timing');
  return results;
}

async function main(): Promise<void> {
  console.log(
    `node ${process.version}; signature backend: ${signatureBackend().name}; ${COUNT} tokens; ${describeLoad()}`,
  );
  console.log('ratio: median over rounds of (contender ops/s / baseline ops/s in that round); higher is better');
  const started = performance.now();
  const signed = await makeTokens(COUNT + WARMUP);
  const warmup = signed.slice(COUNT);
  const tokens = signed.slice(0, COUNT);
  console.log(
    `signed ${signed.length} tokens (${WARMUP} of them for warm-up) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  const server = await startServerProcess('servers/jwks.ts', { JWKS: JSON.stringify(jwks) });
  const jwksUri = `${server.origin}/.well-known/jwks.json`;

  const raw = rawVerifier(new Map([[KID, createPublicKey({ key: jwk, format: 'jwk' })]]));
  const joseKey = await importJWK(jwk, 'RS256');
  const claimOptions = { requiredScopes: REQUIRED_SCOPES };
  const verifier = createGrantVerifier({ jwksUri, ...claimOptions });
  const uncached = createGrantVerifier({ jwksUri, ...claimOptions, cacheSize: 0 });

  const baseline: Contender = { name: 'raw node:crypto + same checks (baseline)', async: false, run: raw };
  const contenders: Contender[] = [
    baseline,
    { name: 'the same baseline behind an async function', async: true, run: async (t) => raw(t) },
    { name: 'verifyGrantToken({ jwks })', async: true, run: (t) => verifyGrantToken(t, { jwks, ...claimOptions }) },
    {
      name: 'verifyGrantToken({ jwksUri })',
      async: true,
      run: (t) => verifyGrantToken(t, { jwksUri, ...claimOptions }),
    },
    { name: 'createGrantVerifier().verify', async: true, run: (t) => verifier.verify(t) },
    { name: 'createGrantVerifier({ cacheSize: 0 }).verify', async: true, run: (t) => uncached.verify(t) },
    {
      name: 'plain jose jwtVerify (reference)',
      async: true,
      run: (t) => jwtVerify(t, joseKey, { algorithms: ['RS256'] }),
    },
    {
      name: 'decode only, no signature check (must be VOID)',
      async: false,
      run: (t) => JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString('utf8')),
    },
  ];
  const chunk = Number(process.env.BENCH_CHUNK ?? 500);
  const distinct = await checkedCompare(contenders, tokens, tamper(tokens[1]!), { passes: 1, chunk, warmup });
  const okDistinct = report(
    `distinct tokens (${COUNT}, each verified once; ${distinct[0]!.wall.length} rounds of ${chunk})`,
    distinct,
    {
      'verifyGrantToken({ jwks })': 0.8,
      'verifyGrantToken({ jwksUri })': 0.8,
    },
  );

  const one = tokens[0]!;
  const repeatedContenders = contenders.filter((c) => c.name !== 'plain jose jwtVerify (reference)');
  const repeated = await checkedCompare(
    repeatedContenders,
    Array.from({ length: COUNT }, () => one),
    tamper(one),
    {
      passes: ROUNDS,
      chunk: Number(process.env.BENCH_CHUNK ?? 2000),
      warmup: Array.from({ length: WARMUP }, () => one),
    },
  );
  const okRepeated = report(
    `one repeated token (${COUNT} verifications per pass, ${ROUNDS} passes; ${repeated[0]!.wall.length} rounds)`,
    repeated,
    {
      'verifyGrantToken({ jwksUri })': 5,
      'createGrantVerifier().verify': 5,
    },
  );

  await server.close();
  const okPassports = await passportBench();
  console.log(`\n${describeLoad()}`);
  console.log(`goals ${okDistinct && okRepeated && okPassports ? 'met' : 'NOT met'}`);
}

await main();
