// `npm run dev-server`: starts, prints its URL and working keys, and stops on SIGTERM.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../../conformance/reference/cli/cli-options.js';
import { DEV_SERVER_NODE_FLAGS } from '../../conformance/reference/cli/launch.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('dev-server CLI', () => {
  it('prints the URL with a sandbox and a live key that work, and lists faults', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'conformance/reference/cli/cli.ts', '--port', '0', '--fault', 'code-reusable'],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const deadline = Date.now() + 20_000;
      while (!/live API key:/.test(out)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no banner: ${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] ?? '';
      const sandbox = /sandbox API key: (gx_test_\S+)/.exec(out)?.[1] ?? '';
      const live = /live API key: +(gx_live_\S+)/.exec(out)?.[1] ?? '';
      expect(out).toMatch(/FAULTS ON .*code-reusable/);
      for (const key of [sandbox, live]) {
        const res = await fetch(`${url}/v1/agents`, { headers: { authorization: `Bearer ${key}` } });
        expect(res.status).toBe(200);
      }
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    expect(child.exitCode === 0 || child.signalCode === 'SIGTERM').toBe(true);
  });

  // The process tree is read from /proc.
  it.runIf(process.platform === 'linux')(
    'runs its server in a child process with the dev-server flags; SIGTERM and Ctrl-C stop both, exit 0',
    async () => {
      for (const stopWith of ['SIGTERM to the command', 'SIGINT to the process group'] as const) {
        const command = spawn(
          process.execPath,
          ['--import', 'tsx', 'conformance/reference/cli/main.ts', '--port', '0'],
          {
            cwd: root,
            stdio: ['ignore', 'pipe', 'pipe'],
            detached: true, // its own process group, as a terminal gives a command
          },
        );
        const exited = new Promise<number | null>((resolve) => command.once('exit', (code) => resolve(code)));
        let out = '';
        command.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        try {
          const deadline = Date.now() + 20_000;
          while (!/live API key:/.test(out)) {
            if (Date.now() > deadline || command.exitCode !== null) throw new Error(`no banner: ${out}`);
            await new Promise((r) => setTimeout(r, 50));
          }
          const children = readFileSync(`/proc/${command.pid}/task/${command.pid}/children`, 'utf8')
            .trim()
            .split(/\s+/);
          expect(children).toHaveLength(1);
          const server = Number(children[0]);
          const argv = readFileSync(`/proc/${server}/cmdline`, 'utf8').split('\0');
          for (const flag of DEV_SERVER_NODE_FLAGS) expect(argv).toContain(flag);
          const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] ?? '';
          expect((await fetch(`${url}/health`)).status).toBe(200);
          if (stopWith === 'SIGTERM to the command') command.kill('SIGTERM');
          else process.kill(-command.pid!, 'SIGINT');
          expect(await exited, stopWith).toBe(0);
          expect(existsSync(`/proc/${server}/cmdline`) && readFileSync(`/proc/${server}/cmdline`).length > 0).toBe(
            false,
          );
        } finally {
          if (command.exitCode === null) process.kill(-command.pid!, 'SIGKILL');
        }
      }
    },
    60_000,
  );

  it('rejects an unknown fault and a bad port', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; err: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'conformance/reference/cli/cli.ts', ...args], {
          cwd: root,
        });
        let err = '';
        child.stderr.on('data', (c: Buffer) => (err += c.toString()));
        child.once('exit', (code) => resolve({ code, err }));
      });
    expect(await run(['--fault', 'nope'])).toMatchObject({ code: 2, err: expect.stringContaining('Unknown fault') });
    expect(await run(['--port', 'x'])).toMatchObject({ code: 2 });
    expect(await run(['--variant', 'nope'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('Unknown variant'),
    });
    expect(await run(['--issuer', 'ftp://example.test'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('Invalid issuer'),
    });
  });

  it('lists the variants, and --issuer and --variant take effect', async () => {
    const list = await new Promise<string>((resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'conformance/reference/cli/cli.ts', '--list-variants'],
        {
          cwd: root,
        },
      );
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.once('exit', () => resolve(out));
    });
    for (const name of ['trim-names', 'reverse-lists', 'issuer-alias', 'extra-fields', 'other-id-format'])
      expect(list).toContain(name);
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'conformance/reference/cli/cli.ts',
        '--port',
        '0',
        '--issuer',
        'https://grantex.proxy.example',
        '--variant',
        'trim-names',
      ],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const deadline = Date.now() + 20_000;
      while (!/variants on/.test(out)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no banner: ${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(out).toMatch(/token issuer: +https:\/\/grantex\.proxy\.example/);
      expect(out).toMatch(/variants on .*trim-names/);
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] ?? '';
      const key = /sandbox API key: (gx_test_\S+)/.exec(out)?.[1] ?? '';
      const created = await fetch(`${url}/v1/agents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: ' padded ' }),
      });
      expect(((await created.json()) as { name: string }).name).toBe('padded');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });

  it('--help lists every flag', async () => {
    const { code, out } = await runToExit(['--help']);
    expect(code).toBe(0);
    for (const flag of [
      '--port',
      '--key',
      '--issuer',
      '--fault',
      '--list-faults',
      '--variant',
      '--list-variants',
      '--rate-limit',
      '--max-body-bytes',
      '--cors-origin',
      '--help',
    ])
      expect(out).toContain(flag);
    expect(out).toMatch(/default, authorize, token, signup, public/);
  });

  it('--rate-limit and --max-body-bytes take effect', async () => {
    await withDevServer(
      [
        '--rate-limit',
        'developer=2/1m',
        '--rate-limit',
        'public=1',
        '--rate-limit',
        'signup=1',
        '--max-body-bytes',
        '100',
        '--cors-origin',
        'http://localhost:5173',
      ],
      async (url, key) => {
        const get = () => fetch(`${url}/v1/agents`, { headers: { authorization: `Bearer ${key}` } });
        expect((await get()).status).toBe(200);
        const second = await get();
        expect(second.headers.get('x-ratelimit-limit')).toBe('2');
        const refused = await get();
        expect(refused.status).toBe(429);
        expect(refused.headers.get('retry-after')).not.toBeNull();
        expect(await refused.json()).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED', requestId: expect.any(String) });
        expect((await fetch(`${url}/health`)).headers.get('x-ratelimit-limit')).toBe('1');
        // The banner's two keys spent nothing of the signup budget.
        const signup = () =>
          fetch(`${url}/v1/signup`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ name: 'n', mode: 'sandbox' }),
          });
        expect((await signup()).status).toBe(201);
        expect((await signup()).status).toBe(429);
        const big = await fetch(`${url}/v1/signup`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'x'.repeat(200), mode: 'sandbox' }),
        });
        expect([413, 429]).toContain(big.status);
        expect(big.status).toBe(413); // refused for its length before the spent signup bucket is consulted
        const cors = await fetch(`${url}/health`, { headers: { origin: 'http://localhost:5173' } });
        expect(cors.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      },
    );
  });

  it('parses every flag into server options, and refuses malformed values with a usage error', () => {
    expect(
      parseCli([
        '--rate-limit',
        'authorize=10/30s',
        '--rate-limit',
        'developer=5',
        '--rate-limit',
        'token=3/500ms',
        '--max-body-bytes',
        '2048',
        '--cors-origin',
        'http://localhost:5173',
        '--port',
        '0',
      ]),
    ).toEqual({
      action: 'serve',
      options: {
        port: 0,
        faults: [],
        variants: [],
        rateLimits: { authorize: { limit: 10, windowMs: 30_000 }, default: 5, token: { limit: 3, windowMs: 500 } },
        maxBodyBytes: 2048,
        corsOrigins: ['http://localhost:5173'],
      },
    });
    expect(parseCli(['--rate-limit', 'public=1/1h', '--port', '1'])).toMatchObject({
      options: { rateLimits: { public: { limit: 1, windowMs: 3_600_000 } } },
    });
    // Several values after one flag, as the help's BUCKET=N[/WINDOW]... says.
    expect(parseCli(['--rate-limit', 'authorize=1', 'token=2/30s', '--port', '0'])).toMatchObject({
      options: { rateLimits: { authorize: 1, token: { limit: 2, windowMs: 30_000 } } },
    });
    expect(parseCli(['--help'])).toEqual({ action: 'help' });
    expect(parseCli(['--version'])).toEqual({ action: 'version' });
    const bad = [
      ['--rate-limit', 'authorize=1', 'stray'],
      ['--port', '0', 'token=1'],
      ['stray'],
      ['--rate-limit', 'nope=1'],
      ['--rate-limit', 'authorize=x'],
      ['--rate-limit', 'authorize=-1'],
      ['--rate-limit', 'token=5/0s'],
      ['--rate-limit', 'token=5/1d'],
      ['--max-body-bytes', '0'],
      ['--max-body-bytes', '1e3'],
      ['--cors-origin', 'localhost'],
      ['--cors-origin', 'http://a.test/path'],
      ['--port', '70000'],
      ['--fault', 'nope'],
      ['--variant', 'nope'],
      ['--issuer', 'ftp://example.test'],
      ['--bogus'],
      ['--max-body-bytes'],
    ];
    for (const args of bad) expect(() => parseCli(args), args.join(' ')).toThrow(UsageError);
  });

  it('exits 2 with the usage for a malformed value', async () => {
    const { code, err } = await runToExit(['--rate-limit', 'token=5/0s']);
    expect(code).toBe(2);
    expect(err).toContain('Usage:');
  });
});

function runToExit(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'conformance/reference/cli/cli.ts', '--port', '0', ...args],
      {
        cwd: root,
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}

async function withDevServer(args: string[], body: (url: string, sandboxKey: string) => Promise<void>): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'conformance/reference/cli/cli.ts', '--port', '0', ...args],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  try {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const deadline = Date.now() + 20_000;
    while (!/live API key:/.test(out)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no banner: ${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await body(
      /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] ?? '',
      /sandbox API key: (gx_test_\S+)/.exec(out)?.[1] ?? '',
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}
