/**
 * @module dev-server-process
 * Runs `npm run dev-server` in its own Node process for benchmarks and
 * probes, and reads that process's resident memory from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEV_SERVER_NODE_FLAGS } from '../../conformance/reference/cli/launch.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** A dev-server process and what its banner said. */
export interface DevServerProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  sandboxKey: string;
  liveKey: string;
  /** Resident memory of the server process now, in MiB (VmRSS). */
  rssMiB(): number;
  /** Stops the process (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts the dev-server with `args` (port 0 is added) and waits for its banner. */
export async function startDevServerProcess(
  args: readonly string[] = [],
  timeoutMs = 60_000,
): Promise<DevServerProcess> {
  const child = spawn(
    process.execPath,
    // The server process as the command runs it (main.ts relaunches with these flags), so its pid is the server's.
    [...DEV_SERVER_NODE_FLAGS, '--import', 'tsx', 'conformance/reference/cli/cli.ts', '--port', '0', ...args],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + timeoutMs;
  while (!/live API key:/.test(out)) {
    if (child.exitCode !== null) throw new Error(`dev-server exited with ${child.exitCode}: ${err.slice(0, 500)}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`dev-server printed no banner within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = child.pid!;
  return {
    child,
    pid,
    url: /listening on (http:\/\/\S+)/.exec(out)?.[1] ?? '',
    sandboxKey: /sandbox API key: (\S+)/.exec(out)?.[1] ?? '',
    liveKey: /live API key: +(\S+)/.exec(out)?.[1] ?? '',
    rssMiB: () => rssMiB(pid),
    stop,
  };
}

/** VmRSS of process `pid`, in MiB (Linux). */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) / 1024;
}
