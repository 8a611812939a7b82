/**
 * @module launch
 * The Node process the dev-server command runs its server in. V8's defaults
 * size the young generation for throughput, up to 3 × 64 MB on Node 24 on a
 * large machine, so a flood of short requests grows a default process by more
 * than 100 MB of garbage headroom before any of it is collected. A local
 * server favours memory over speed: the command runs the server with
 * {@link DEV_SERVER_NODE_FLAGS}, relaunching itself once in a child process
 * when it was started without them. Signals reach the server, and its exit
 * code is the command's.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/**
 * Node flags of the dev-server's process. The semi-space is still allowed
 * 4 MB: at --optimize-for-size's smaller one, building a 3.4 MB evidence pack
 * set off a scavenge every few milliseconds and held other requests up to
 * 83 ms, against 44–47 ms with 4 MB, for the same memory.
 */
export const DEV_SERVER_NODE_FLAGS: readonly string[] = ['--optimize-for-size', '--max-semi-space-size=4'];

/** Signals the command passes on to the server process. */
const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Whether this process was started with every dev-server flag. */
export function hasDevServerFlags(execArgv: readonly string[] = process.execArgv): boolean {
  return DEV_SERVER_NODE_FLAGS.every((flag) => execArgv.includes(flag));
}

/**
 * Runs this same command (script and arguments) in a child Node process that
 * has the dev-server flags; resolves with the exit code to leave with.
 */
export function relaunch(): Promise<number> {
  const script = process.argv[1];
  if (script === undefined) return Promise.resolve(1);
  const child = spawn(
    process.execPath,
    [...process.execArgv, ...DEV_SERVER_NODE_FLAGS, script, ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  const handlers = FORWARDED.map((signal) => [signal, () => child.kill(signal)] as const);
  for (const [signal, forward] of handlers) process.on(signal, forward);
  return new Promise((resolve) => {
    const done = (code: number) => {
      for (const [signal, forward] of handlers) process.off(signal, forward);
      resolve(code);
    };
    child.once('error', (error) => {
      console.error(`grantex-dev-server: could not start Node (${error.message})`);
      done(1);
    });
    // A server ended by a signal: the shell's convention, 128 + the signal's number.
    child.once('exit', (code, signal) => done(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)));
  });
}
