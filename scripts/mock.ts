/**
 * The Prism mock of the bundled spec, on 127.0.0.1. It answers from the spec's
 * examples and rejects requests that do not validate (422). Stateless: for real
 * behaviour use the reference server (`npm run dev-server`).
 *
 *   npm run mock                   # port from MOCK_PORT, default 4010
 *   MOCK_PORT=5000 npm run mock
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { freePort } from './lib/free-port.js';

const root = resolve(import.meta.dirname, '..');
const SPEC = join(root, 'generated', 'openapi.json');
const PRISM = join(root, 'node_modules', '.bin', 'prism');

export interface MockServer {
  /** Base URL, e.g. `http://127.0.0.1:4010`. */
  url: string;
  close(): Promise<void>;
}

function launch(port: number, stdio: 'inherit' | 'pipe'): ChildProcess {
  return spawn(PRISM, ['mock', SPEC, '--host', '127.0.0.1', '--port', String(port), '--errors'], {
    cwd: root,
    stdio: ['ignore', stdio, stdio],
    env: { ...process.env, NO_COLOR: '1' },
  });
}

/** Starts Prism on a free port (or `port`) and resolves once it accepts requests. */
export async function startMock(options: { port?: number; readyTimeoutMs?: number } = {}): Promise<MockServer> {
  const port = options.port ?? (await freePort());
  const child = launch(port, 'pipe');
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));

  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  while (!output.includes('Prism is listening')) {
    if (child.exitCode !== null) throw new Error(`Prism exited early:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Prism did not start within the timeout:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.MOCK_PORT ?? 4010);
  const child = launch(port, 'inherit');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
}
