// `npm run dev-server`: starts, prints its URL and working keys, and stops on SIGTERM.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('dev-server CLI', () => {
  it('prints the URL with a sandbox and a live key that work, and lists faults', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'conformance/reference/cli.ts', '--port', '0', '--fault', 'code-reusable'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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

  it('rejects an unknown fault and a bad port', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; err: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'conformance/reference/cli.ts', ...args], { cwd: root });
        let err = '';
        child.stderr.on('data', (c: Buffer) => (err += c.toString()));
        child.once('exit', (code) => resolve({ code, err }));
      });
    expect(await run(['--fault', 'nope'])).toMatchObject({ code: 2, err: expect.stringContaining('Unknown fault') });
    expect(await run(['--port', 'x'])).toMatchObject({ code: 2 });
    expect(await run(['--variant', 'nope'])).toMatchObject({ code: 2, err: expect.stringContaining('Unknown variant') });
    expect(await run(['--issuer', 'ftp://example.test'])).toMatchObject({ code: 2, err: expect.stringContaining('Invalid issuer') });
  });

  it('lists the variants, and --issuer and --variant take effect', async () => {
    const list = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'conformance/reference/cli.ts', '--list-variants'], { cwd: root });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.once('exit', () => resolve(out));
    });
    for (const name of ['trim-names', 'reverse-lists', 'issuer-alias', 'extra-fields', 'other-id-format']) expect(list).toContain(name);
    const child = spawn(process.execPath, ['--import', 'tsx', 'conformance/reference/cli.ts', '--port', '0', '--issuer', 'https://grantex.proxy.example', '--variant', 'trim-names'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
      const created = await fetch(`${url}/v1/agents`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: ' padded ' }) });
      expect(((await created.json()) as { name: string }).name).toBe('padded');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
