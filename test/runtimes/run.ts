/**
 * @module runtimes
 * `npm run test:runtimes`: the runtime matrix. Packs the package, installs the
 * tarball into a scratch project, and runs the smoke program (smoke.js) in
 * Node 20, 22 and 24, Deno, Bun, workerd and headless Chromium against the
 * reference server (cross-origin from the browser page), plus the README's
 * JavaScript quick start as written on each runtime with a process global.
 * The drivers in drivers/ start the smoke program on each kind of runtime.
 * Prints a table of runtime against result; exits 1 if any run fails.
 * The runtimes come from test/runtimes/install.sh (npm registry packages) and
 * Debian's chromium.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { build } from 'esbuild';
import { startReferenceServer } from '../../conformance/reference/server.js';
import { packTarball, root } from '../../scripts/pack.js';

const RUNTIMES = join(root, '.cache/runtimes/node_modules');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Every run is bounded: a runtime that hangs fails its row. */
const RUN_TIMEOUT_MS = 90_000;

interface Step {
  step: string;
  ok: boolean;
  detail: string;
}
interface Row {
  runtime: string;
  program: string;
  steps: Step[];
  error?: string;
}

const json = (path: string): unknown => JSON.parse(readFileSync(join(root, 'test/vectors', path), 'utf8'));
const vectors = {
  grant: json('grant-token.json'),
  delegated: json('delegated-token.json'),
  jwks: json('jwks.json'),
  audit: json('audit-chain.json'),
  webhook: json('webhooks/delivery-1.json'),
};

/** Runs a command with a time bound; resolves to its exit code and output. */
function exec(command: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, out: `${out}${String(error)}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** The steps a driver printed on its `SMOKE ` line, or the run's output when there is none. */
function parseSmoke(runtime: string, program: string, result: { code: number | null; out: string }): Row {
  const line = result.out.split('\n').find((l) => l.startsWith('SMOKE '));
  if (line === undefined)
    return { runtime, program, steps: [], error: `exit ${result.code}: ${result.out.trim().slice(-600)}` };
  return { runtime, program, steps: JSON.parse(line.slice(6)) as Step[] };
}

/** A quick-start run passes when it exits 0 with the two lines the README promises. */
function parseQuickStart(runtime: string, result: { code: number | null; out: string }): Row {
  const ok =
    result.code === 0 &&
    /may use calendar:read for user_42$/m.test(result.out) &&
    /^valid after revoke: false$/m.test(result.out);
  const detail = ok
    ? 'authorize, exchange, verify offline, revoke'
    : `exit ${result.code}: ${result.out.trim().slice(-600)}`;
  return { runtime, program: 'README quick start (js)', steps: [{ step: 'quick start', ok, detail }] };
}

/** Serves `dir` on 127.0.0.1 (a free port): the browser page's own origin. */
async function serveStatic(dir: string): Promise<{ url: string; server: Server }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };
  const server = createServer((request, response) => {
    const file = join(dir, new URL(request.url ?? '/', 'http://x').pathname.replace(/^\/$/, '/index.html'));
    if (!file.startsWith(dir) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response
      .writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' })
      .end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, server };
}

async function runChromium(project: string): Promise<Row> {
  const { chromium } = await import('playwright-core');
  const site = await serveStatic(join(project, 'site'));
  const profile = mkdtempSync(join(tmpdir(), 'grantex-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      timeout: RUN_TIMEOUT_MS,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    try {
      const page = await context.newPage();
      const console: string[] = [];
      page.on('console', (message) => console.push(message.text()));
      page.on('pageerror', (error) => console.push(String(error)));
      await page.goto(`${site.url}/index.html`, { timeout: RUN_TIMEOUT_MS });
      const steps = await page.evaluate(() => (globalThis as unknown as { smokeResult: Promise<Step[]> }).smokeResult);
      return {
        runtime: `chromium ${context.browser()?.version() ?? ''}`.trim(),
        program: 'smoke',
        steps,
        ...(console.length > 0 && steps.some((s) => !s.ok) ? { error: console.join('\n') } : {}),
      };
    } finally {
      await context.close();
    }
  } catch (error) {
    return { runtime: 'chromium', program: 'smoke', steps: [], error: String(error) };
  } finally {
    site.server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

async function runWorkerd(project: string): Promise<Row> {
  const config = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "smoke", worker = .smoke),
    # Outbound fetches may reach loopback only: the reference server.
    (name = "loopback", network = (allow = ["local"])),
  ],
);
const smoke :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.bundle.js")],
  compatibilityDate = "2026-11-01",
  globalOutbound = "loopback",
);
`;
  writeFileSync(join(project, 'workerd.capnp'), config);
  const bin = join(RUNTIMES, '@cloudflare/workerd-linux-64/bin/workerd');
  const version = (await exec(bin, ['--version'], project)).out.trim();
  return parseSmoke(version, 'smoke', await exec(bin, ['test', 'workerd.capnp'], project));
}

async function main(): Promise<number> {
  // A no-op when the pinned runtimes are already installed.
  const install = await exec('bash', [join(root, 'test/runtimes/install.sh')], root);
  if (install.code !== 0) throw new Error(`install.sh failed: ${install.out}`);
  const work = mkdtempSync(join(tmpdir(), 'grantex-runtimes-'));
  const server = await startReferenceServer();
  try {
    const { tarball } = await packTarball(work);
    const project = join(work, 'consumer');
    mkdirSync(join(project, 'site'), { recursive: true });
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    const installed = await exec(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball],
      project,
    );
    if (installed.code !== 0) throw new Error(`npm install failed: ${installed.out}`);

    for (const file of ['smoke.js', 'drivers/main.js', 'drivers/worker.js', 'drivers/page.js']) {
      copyFileSync(join(root, 'test/runtimes', file), join(project, basename(file)));
    }
    copyFileSync(join(root, 'test/runtimes/drivers/index.html'), join(project, 'site/index.html'));
    writeFileSync(join(project, 'config.js'), `export default ${JSON.stringify({ baseUrl: server.url, vectors })};\n`);
    writeFileSync(join(project, 'quickstart.js'), readmeJsQuickStart());
    // workerd and the browser load one file: the bundle resolves `grantex` from the installed tarball.
    const bundle = {
      bundle: true,
      format: 'esm',
      target: 'es2022',
      absWorkingDir: project,
      logLevel: 'error',
    } as const;
    await build({
      ...bundle,
      entryPoints: ['worker.js'],
      outfile: join(project, 'worker.bundle.js'),
      platform: 'neutral',
      conditions: ['workerd', 'worker', 'browser'],
      mainFields: ['module', 'main'],
    });
    await build({ ...bundle, entryPoints: ['page.js'], outfile: join(project, 'site/page.js'), platform: 'browser' });

    const env = {
      GRANTEX_BASE_URL: server.url,
      DENO_NO_UPDATE_CHECK: '1',
      DENO_DIR: join(work, 'deno'),
      DO_NOT_TRACK: '1',
      NO_COLOR: '1',
    };
    const commandLines: [string, string, string[]][] = [
      ...['20', '22', '24'].map((major): [string, string, string[]] => [
        `node ${major}`,
        join(RUNTIMES, `node${major}/bin/node`),
        [],
      ]),
      [
        'deno',
        join(RUNTIMES, '@deno/linux-x64-glibc/deno'),
        ['run', '--allow-net=127.0.0.1', '--allow-read', '--allow-env'],
      ],
      ['bun', join(RUNTIMES, '@oven/bun-linux-x64/bin/bun'), ['run']],
    ];
    const rows: Row[] = [];
    for (const [name, bin, args] of commandLines) {
      const version = (await exec(bin, ['--version'], project)).out.trim().split('\n')[0] ?? '';
      const label = `${name} (${version.replace(/^deno /, '').replace(/ \(.*$/, '')})`;
      rows.push(parseSmoke(label, 'smoke', await exec(bin, [...args, 'main.js'], project, env)));
      rows.push(parseQuickStart(label, await exec(bin, [...args, 'quickstart.js'], project, env)));
    }
    rows.push(await runWorkerd(project));
    rows.push(await runChromium(project));
    return report(rows);
  } finally {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/** The README's first ```js block, as written. */
function readmeJsQuickStart(): string {
  const block = /```js\n([\s\S]*?)```/.exec(readFileSync(join(root, 'README.md'), 'utf8'));
  if (block === null) throw new Error('README.md has no ```js block');
  return block[1]!;
}

function report(rows: Row[]): number {
  const failed = rows.filter(
    (row) => row.error !== undefined || row.steps.length === 0 || row.steps.some((s) => !s.ok),
  );
  const table = rows.map((row) => [
    row.runtime,
    row.program,
    row.steps.every((s) => s.ok) && row.steps.length > 0 && row.error === undefined ? 'PASS' : 'FAIL',
    row.steps.map((s) => `${s.ok ? '✓' : '✗'} ${s.step}`).join(', ') || 'no result',
  ]);
  const header = ['runtime', 'program', 'result', 'steps'];
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log([line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...table.map(line)].join('\n'));
  for (const row of failed) {
    console.log(`\n${row.runtime}, ${row.program}:`);
    for (const s of row.steps.filter((s) => !s.ok)) console.log(`  ${s.step}: ${s.detail}`);
    if (row.error !== undefined) console.log(`  ${row.error}`);
  }
  console.log(`\nruntimes: ${rows.length - failed.length} passed, ${failed.length} failed`);
  return failed.length === 0 ? 0 : 1;
}

process.exit(await main());
