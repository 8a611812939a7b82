/**
 * Issue 20's figures, each case in its own Node process, peak RSS read as
 * Linux's VmHWM (reset through clear_refs just before the case, as
 * scripts/measure-memory.ts does; the growth of VmHWM when the reset is
 * refused), hostile peers in processes of their own:
 * - suite: growth of the suite's recorder on a 400 MB body and on a gzip bomb
 *   inflating to 400 MB (goal < 64 MB, the read cut off at
 *   --max-response-bytes), and of its webhook receiver under a 1.5 GB post
 *   (goal < 64 MB, answered 413);
 * - validation: a 100,000-item invalid list judged in under 2 s, beside
 *   JSON.parse of the same body as the baseline (ratio printed);
 * - reference server: growth after 10,000 SSO logins (plus 3 against a
 *   400 MB discovery document), from a collected heap, beside 10,000
 *   `/health` measured the same way (ratio), the heap kept after a full
 *   collection, and the same logins in a fresh process before its first full
 *   collection (goal < 64 MB both ways); after 200 audit entries at the
 *   metadata limit (goal < 64 MB); and the slowest `/health` while the
 *   evidence pack builds (goal < 100 ms), beside idle `/health` (ratio).
 * Run: `npm run bench -- hostile` (or `npx tsx scripts/bench/hostile.bench.ts [case…]`).
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WebhookReceiver } from '../../conformance/doubles/receiver.js';
import { DEV_SERVER_NODE_FLAGS } from '../../conformance/reference/cli/launch.js';
import { ContractValidator } from '../../conformance/http/contract.js';
import { Http } from '../../conformance/http/http.js';
import { describeLoad, startServerProcess } from './support.js';

const MB_GOAL = 64;
const SELF = fileURLToPath(import.meta.url);
const HOSTILE = fileURLToPath(new URL('./servers/hostile.ts', import.meta.url));
const REFERENCE = fileURLToPath(new URL('./servers/reference.ts', import.meta.url));

type Figures = Record<string, number | string | boolean>;

function statusOf(pid: number | 'self', field: 'VmHWM' | 'VmRSS'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match === null) throw new Error(`no ${field} in /proc/${pid}/status (Linux only)`);
  return Number(match[1]) / 1024;
}

/** Resets the peak of `pid`; returns the baseline its growth is measured from. */
function resetPeak(pid: number | 'self'): { from: number; reset: boolean; pid: number | 'self' } {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return { from: statusOf(pid, 'VmRSS'), reset: true, pid };
  } catch {
    return { from: statusOf(pid, 'VmHWM'), reset: false, pid };
  }
}

function growth(mark: ReturnType<typeof resetPeak>): Figures {
  const peak = statusOf(mark.pid, 'VmHWM');
  return { before: round(mark.from), peak: round(peak), growth: round(peak - mark.from), vmhwmReset: mark.reset };
}

const round = (value: number): number => Math.round(value * 10) / 10;

function runProcess(args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
    child.once('error', reject);
    child.once('exit', () => resolve(out));
  });
}

/** Cases that run in a child of their own; each prints one JSON line. */
const cases: Record<string, (origin: string) => Promise<Figures>> = {
  async 'suite-huge'(origin) {
    return readThroughSuite(`${origin}/huge`);
  },
  async 'suite-bomb'(origin) {
    return readThroughSuite(`${origin}/bomb`);
  },
  async 'suite-receiver'() {
    const receiver = await WebhookReceiver.start();
    const target = `http://127.0.0.1:${receiver.port}/hook`;
    await fetch(target, { method: 'POST', body: '{"warm":true}' });
    globalThis.gc?.();
    const mark = resetPeak('self');
    const started = performance.now();
    const poster = await runProcess(['--import', 'tsx', HOSTILE], { MODE: 'post', TARGET: target });
    const seconds = (performance.now() - started) / 1000;
    await receiver.close();
    return { outcome: poster.trim(), kept: receiver.deliveries.length - 1, seconds: round(seconds), ...growth(mark) };
  },
  async 'suite-validate'() {
    const text = JSON.stringify({ agents: Array.from({ length: 100_000 }, (_, i) => ({ agentId: i, name: 7 })) });
    const contract = ContractValidator.bundled();
    const exchange = (body: unknown) =>
      ({
        seq: 1,
        method: 'GET',
        url: 'http://127.0.0.1:1/v1/agents',
        target: '/v1/agents',
        requestHeaders: {},
        status: 200,
        responseHeaders: { 'content-type': 'application/json' },
        responseText: text,
        body,
        durationMs: 0,
        violations: [],
      }) as Parameters<ContractValidator['validate']>[0];
    contract.validate(exchange({ agents: [] })); // compiles the schema outside the timing
    let parsed: unknown;
    const parseStart = performance.now();
    for (let i = 0; i < 3; i++) parsed = JSON.parse(text);
    const parseMs = (performance.now() - parseStart) / 3;
    const started = performance.now();
    const violations = contract.validate(exchange(parsed));
    const validateMs = performance.now() - started;
    // The worst case of a first-error pass: 99,999 valid items, then one invalid.
    const agent = {
      agentId: 'ag_1',
      did: 'did:grantex:ag_1',
      developerId: 'dev_1',
      name: 'n',
      description: 'd',
      scopes: ['calendar:read'],
      status: 'active',
      createdAt: '2026-11-28T12:52:10.000Z',
      updatedAt: '2026-11-28T12:52:10.000Z',
    };
    const last = { agents: [...Array.from({ length: 99_999 }, () => agent), { ...agent, name: 7 }] };
    const lastStart = performance.now();
    const lastViolations = contract.validate(exchange(last));
    const lastMs = performance.now() - lastStart;
    return {
      bodyBytes: text.length,
      violations: violations.length,
      first: violations[0] ?? '',
      validateMs: round(validateMs),
      lastMs: round(lastMs),
      lastFirst: lastViolations[0] ?? '',
      parseMs: round(parseMs),
      ratio: round(Math.max(validateMs, lastMs) / parseMs),
    };
  },
};

async function readThroughSuite(url: string): Promise<Figures> {
  const http = new Http({ baseUrl: url, timeoutMs: 120_000, maxRps: 0, budget: 10, maxRetryAfterS: 0 });
  await http.request({ method: 'GET', path: `${new URL(url).origin}/small` });
  globalThis.gc?.();
  const mark = resetPeak('self');
  const started = performance.now();
  const outcome = await http.request({ method: 'GET', path: url }).then(
    () => 'read whole (wrong)',
    (error: Error) => `${error.name}: ${error.message.replace(/^GET \S+: /, '')}`,
  );
  return { outcome, seconds: round((performance.now() - started) / 1000), ...growth(mark) };
}

async function inChild(name: string, origin: string): Promise<Figures> {
  const out = await runProcess(['--expose-gc', '--import', 'tsx', SELF, '--case', name, origin]);
  const line = out.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as Figures;
  } catch {
    return { failed: `child printed ${JSON.stringify(out.slice(-500))}` };
  }
}

/**
 * A reference server in its own process, with the Node flags the dev-server
 * command gives its server (memory read from /proc/<pid>; `gc()` exposed for
 * {@link heapAfterGc}).
 */
async function spawnReference() {
  const child = spawn(process.execPath, ['--expose-gc', ...DEV_SERVER_NODE_FLAGS, '--import', 'tsx', REFERENCE], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const { pid, url } = await new Promise<{ pid: number; url: string }>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      out += text;
      const match = /pid (\d+)\nlistening (\S+)/.exec(out);
      if (match) resolve({ pid: Number(match[1]), url: match[2]! });
    });
    child.once('exit', (code) => reject(new Error(`reference server exited with ${code}`)));
  });
  const json = async (method: string, path: string, key?: string, body?: unknown) => {
    const res = await fetch(url + path, {
      method,
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as Record<string, unknown> };
  };
  /** MB of JavaScript heap the server keeps after a full garbage collection (what it holds, not its garbage). */
  const heapAfterGc = () =>
    new Promise<number>((resolve) => {
      const listen = (text: string) => {
        const match = /heap-after-gc ([\d.]+)/.exec(text);
        if (match === null) return;
        child.stdout.off('data', listen);
        resolve(Number(match[1]));
      };
      child.stdout.on('data', listen);
      process.kill(pid, 'SIGUSR2');
    });
  const developer = async () => {
    const { body } = await json('POST', '/v1/signup', undefined, { name: 'bench' });
    return { key: String(body['apiKey']), org: String(body['developerId']) };
  };
  /** `count` GETs of `path`, `concurrency` at a time; how many answered 200. */
  const flood = async (path: string, count: number, concurrency: number) => {
    let next = 0;
    let ok = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          next++;
          if ((await json('GET', path)).status === 200) ok++;
        }
      }),
    );
    return ok;
  };
  return { child, pid, url, json, heapAfterGc, developer, flood };
}

const SSO_CONFIG = { clientId: 'c', clientSecret: 's', redirectUri: 'http://127.0.0.1:9/cb' };

/**
 * A flood of 10,000 GETs of `path` (16 at a time) in a fresh server process,
 * after the SSO case's warm-up; with `collectFirst` after a full collection,
 * as the SSO case measures. `/health` so measured is the SSO case's baseline:
 * the peak RSS that the HTTP stack's own garbage costs, whatever a route keeps.
 * Without the collection, V8 lets old space grow to its initial limit before
 * its first full collection, which is what a fresh process shows.
 */
async function freshFloodGrowth(path: 'health' | 'sso', collectFirst: boolean): Promise<Figures> {
  const server = await spawnReference();
  try {
    const { key, org } = await server.developer();
    await server.json('POST', '/v1/sso/config', key, { issuerUrl: `${server.url}/_test-idp`, ...SSO_CONFIG });
    await server.flood(`/sso/login?org=${org}`, 200, 8);
    if (collectFirst) await server.heapAfterGc();
    const mark = resetPeak(server.pid);
    await server.flood(path === 'health' ? '/health' : `/sso/login?org=${org}`, 10_000, 16);
    return growth(mark);
  } finally {
    server.child.kill('SIGTERM');
  }
}

/** The reference server's cases. */
async function reference(hostile: string): Promise<boolean> {
  const baseline = await freshFloodGrowth('health', true);
  const fresh = await freshFloodGrowth('sso', false);
  const { child, pid, url, json, heapAfterGc, developer, flood } = await spawnReference();
  try {
    const { key, org } = await developer();
    await json('POST', '/v1/sso/config', key, { issuerUrl: `${url}/_test-idp`, ...SSO_CONFIG });
    const { key: hostileKey, org: hostileOrg } = await developer();
    await json('POST', '/v1/sso/config', hostileKey, { issuerUrl: `${hostile}/idp`, ...SSO_CONFIG });
    await flood(`/sso/login?org=${org}`, 200, 8);
    const heapBefore = await heapAfterGc();
    let mark = resetPeak(pid);
    const started = performance.now();
    const ok = await flood(`/sso/login?org=${org}`, 10_000, 16);
    const hostileLogins: number[] = [];
    for (let i = 0; i < 3; i++) hostileLogins.push((await json('GET', `/sso/login?org=${hostileOrg}`)).status);
    const sso = growth(mark);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const heapAfter = await heapAfterGc();
    // Both ways of measuring must meet the goal: a user's server is often a fresh process.
    const ssoOk = ok === 10_000 && Number(sso.growth) < MB_GOAL && Number(fresh.growth) < MB_GOAL;
    console.log(
      `\nreference, 10,000 SSO logins (${ok} answered 200) + 3 against a 400 MB discovery document (${hostileLogins.join(', ')}; ` +
        `the document is cut at 64 KB and the issuer's /authorize used), measured from a collected heap: ${seconds} s, ` +
        `peak RSS ${sso.peak} MB, growth ${sso.growth} MB over ${sso.before} MB (${sso.vmhwmReset ? 'VmHWM reset' : 'VmHWM delta'}); ` +
        `baseline, 10,000 GET /health the same way in a fresh process: growth ${baseline.growth} MB ` +
        `(ratio ${(Number(sso.growth) / Number(baseline.growth)).toFixed(2)}); heap kept after a full GC ` +
        `${heapBefore} -> ${heapAfter} MB (${(heapAfter - heapBefore).toFixed(1)} MB)`,
    );
    console.log(
      `reference, the same 10,000 SSO logins in a fresh process before its first full collection: growth ` +
        `${fresh.growth} MB over ${fresh.before} MB; goal < ${MB_GOAL} MB both ways: ${ssoOk ? 'met' : 'NOT met'}`,
    );

    const entry = (pad: string) => ({
      agentId: 'ag_1',
      agentDid: 'did:grantex:ag_1',
      grantId: 'grnt_1',
      principalId: 'p',
      action: 'bench.large',
      metadata: { pad },
    });
    const refused = (await json('POST', '/v1/audit/log', key, entry('x'.repeat(640 * 1024)))).status;
    mark = resetPeak(pid);
    let created = 0;
    for (let i = 0; i < 200; i++)
      if ((await json('POST', '/v1/audit/log', key, entry('x'.repeat(16_384 - 10)))).status === 201) created++;
    const audit = growth(mark);
    const auditOk = created === 200 && refused === 400 && Number(audit.growth) < MB_GOAL;
    console.log(
      `reference, 200 audit entries at the 16384-byte metadata limit (${created} created; one of 640 KB answered ${refused}): ` +
        `peak RSS ${audit.peak} MB, growth ${audit.growth} MB over ${audit.before} MB; goal < ${MB_GOAL} MB: ${auditOk ? 'met' : 'NOT met'}`,
    );

    const health = async () => {
      const start = performance.now();
      await fetch(`${url}/health`).then((res) => res.arrayBuffer());
      return performance.now() - start;
    };
    const idle: number[] = [];
    for (let i = 0; i < 20; i++) idle.push(await health());
    idle.sort((a, b) => a - b);
    const during: number[] = [];
    let building = true;
    const packStart = performance.now();
    const pack = fetch(`${url}/v1/compliance/evidence-pack`, { headers: { authorization: `Bearer ${key}` } })
      .then((res) => res.arrayBuffer())
      .finally(() => {
        building = false;
      });
    while (building) {
      during.push(await health());
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const packBytes = (await pack).byteLength;
    const packMs = performance.now() - packStart;
    const slowest = Math.max(...during, 0);
    const median = idle[10]!;
    const healthOk = slowest < 100;
    console.log(
      `reference, /health while the evidence pack builds (${(packBytes / 1e6).toFixed(1)} MB, ${packMs.toFixed(0)} ms): ` +
        `${during.length} probes, slowest ${slowest.toFixed(1)} ms; idle median ${median.toFixed(1)} ms (ratio ${(slowest / median).toFixed(1)}); ` +
        `goal < 100 ms: ${healthOk ? 'met' : 'NOT met'}`,
    );
    return ssoOk && auditOk && healthOk;
  } finally {
    child.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const all = wanted.length === 0;
  console.log(`node ${process.version}; ${describeLoad()}`);
  const hostile = await startServerProcess('servers/hostile.ts');
  let met = true;
  try {
    for (const [name, label] of [
      ['suite-huge', 'suite, a 400 MB body'],
      ['suite-bomb', 'suite, a gzip bomb inflating to 400 MB'],
      ['suite-receiver', 'suite receiver, a 1.5 GB post'],
    ] as const) {
      if (!all && !wanted.includes(name)) continue;
      const figures = await inChild(name, hostile.origin);
      const ok = Number(figures['growth']) < MB_GOAL && !('failed' in figures);
      met &&= ok;
      console.log(
        `\n${label}: ${figures['outcome'] ?? figures['failed']} in ${figures['seconds']} s; peak RSS ${figures['peak']} MB, ` +
          `growth ${figures['growth']} MB over ${figures['before']} MB (${figures['vmhwmReset'] ? 'VmHWM reset' : 'VmHWM delta'}); ` +
          `goal < ${MB_GOAL} MB: ${ok ? 'met' : 'NOT met'}`,
      );
    }
    if (all || wanted.includes('suite-validate')) {
      const figures = await inChild('suite-validate', hostile.origin);
      const ok = Number(figures['validateMs']) < 2000 && Number(figures['lastMs']) < 2000;
      met &&= ok;
      console.log(
        `\nvalidation, ${figures['bodyBytes']} bytes holding 100,000 invalid agents: ${figures['validateMs']} ms ` +
          `(${figures['violations']} violations, first: ${figures['first']}); 100,000 agents, only the last invalid: ` +
          `${figures['lastMs']} ms (${figures['lastFirst']}); JSON.parse of the first body ${figures['parseMs']} ms, ` +
          `ratio of the slower to it ${figures['ratio']}; goal < 2000 ms: ${ok ? 'met' : 'NOT met'}`,
      );
    }
    if (all || wanted.includes('reference')) met = (await reference(hostile.origin)) && met;
  } finally {
    await hostile.close();
  }
  console.log(`\n${describeLoad()}`);
  console.log(`goals ${met ? 'met' : 'NOT met'}`);
  if (!met) process.exitCode = 1;
}

if (process.argv[2] === '--case') {
  const figures = await cases[process.argv[3]!]!(process.argv[4]!);
  console.log(JSON.stringify(figures));
  // Kept-alive sockets to the hostile server would keep the child alive.
  process.exit(0);
} else await main();
