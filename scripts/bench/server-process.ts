/**
 * Starts a bench server in its own Node process, so that its work does not
 * share the event loop (or the CPU figures) of the code being measured. The
 * server script prints `listening <port>` on stdout once it accepts
 * connections; the child is killed by `stop()` or when this process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface ServerProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Runs `script` (a .ts file) under tsx with `args`; resolves when it listens. */
export async function startServerProcess(script: string, args: readonly string[] = []): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const kill = () => child.kill('SIGTERM');
  process.once('exit', kill);
  const port = await new Promise<number>((resolve, reject) => {
    let seen = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      seen += chunk;
      const match = /listening (\d+)/.exec(seen);
      if (match !== null) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`bench server ${script} exited with ${code} before listening`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: async () => {
      process.off('exit', kill);
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
