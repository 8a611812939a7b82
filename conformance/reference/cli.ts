/**
 * @module cli
 * `npm run dev-server`: runs the reference server on 127.0.0.1 and prints its
 * URL with a ready-made sandbox key and live key.
 *
 *   npm run dev-server -- --port 4020 [--key key.pem] [--fault NAME]... [--list-faults]
 *     [--rate-limit BUCKET=N/WINDOW]... [--max-body-bytes N] [--cors-origin ORIGIN]...
 *
 * The port comes from `--port`, else `GRANTEX_DEV_PORT`, else 4020.
 *
 * To add a flag: add an entry to FLAGS (it shows in `--help`) and read it in
 * `serverOptions`, which turns the parsed values into server options.
 */
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { FAULTS, isFaultName, type FaultName } from './faults.js';
import { BUCKET_NAMES, parseRateLimit, type RateLimitOptions } from './rate-limit.js';
import { startReferenceServer, type ReferenceServerOptions } from './server.js';

interface Flag {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** The value's placeholder in `--help`, e.g. `N`. */
  value?: string;
  help: string;
}

const FLAGS = {
  port: { type: 'string', value: 'N', help: 'port to listen on (default: GRANTEX_DEV_PORT or 4020)' },
  key: { type: 'string', value: 'FILE', help: 'RSA private key (PKCS#8 PEM) to sign grant tokens with (default: a new key)' },
  fault: { type: 'string', multiple: true, value: 'NAME', help: 'switch on a named protocol violation (tests of conformance suites only)' },
  'list-faults': { type: 'boolean', help: 'print the fault names and exit' },
  'rate-limit': {
    type: 'string',
    multiple: true,
    value: 'BUCKET=N[/WINDOW]',
    help: `allow N requests per WINDOW (30s, 1m, 1h, 500ms; default 1m) in BUCKET, one of ${BUCKET_NAMES.join(', ')} (developer = default); default 10000/1m each`,
  },
  'max-body-bytes': { type: 'string', value: 'N', help: 'longest request body read; longer ones get 413 (default 1048576)' },
  'cors-origin': { type: 'string', multiple: true, value: 'ORIGIN', help: 'origin browsers may call from, e.g. http://localhost:5173 (default: *, any origin)' },
  help: { type: 'boolean', short: 'h', help: 'print this help and exit' },
} satisfies Record<string, Flag>;

type Values = ReturnType<typeof parseFlags>['values'];

function parseFlags(args: string[]) {
  return parseArgs({ args, options: FLAGS satisfies ParseArgsConfig['options'], strict: true });
}

function usage(): string {
  const lines = Object.entries(FLAGS as Record<string, Flag>).map(([name, flag]) => {
    const left = `--${name}${flag.value !== undefined ? ` ${flag.value}` : ''}${flag.multiple === true ? '...' : ''}`;
    return `  ${left.padEnd(34)} ${flag.help}`;
  });
  return `Usage: npm run dev-server -- [options]\n${lines.join('\n')}`;
}

/** A usage error: printed with exit code 2. */
class UsageError extends Error {}

function positiveInteger(text: string, flag: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`Invalid --${flag}: ${text} (expected a positive whole number)`);
  return n;
}

/** The server options the parsed flags ask for. */
function serverOptions(values: Values): ReferenceServerOptions {
  const portText = values.port ?? process.env['GRANTEX_DEV_PORT'] ?? '4020';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new UsageError(`Invalid port: ${portText}`);
  const faults: FaultName[] = [];
  for (const name of values.fault ?? []) {
    if (!isFaultName(name)) throw new UsageError(`Unknown fault: ${name} (see --list-faults)`);
    faults.push(name);
  }
  const rateLimits: RateLimitOptions = {};
  for (const text of values['rate-limit'] ?? []) {
    try {
      const { bucket, limit } = parseRateLimit(text);
      rateLimits[bucket] = limit;
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  const options: ReferenceServerOptions = { port, faults, rateLimits };
  if (values.key !== undefined) options.keys = { privateKey: readFileSync(values.key, 'utf8') };
  if (values['max-body-bytes'] !== undefined) options.maxBodyBytes = positiveInteger(values['max-body-bytes'], 'max-body-bytes');
  if (values['cors-origin'] !== undefined) options.corsOrigins = values['cors-origin'];
  return options;
}

async function signup(url: string, name: string, mode: 'sandbox' | 'live'): Promise<string> {
  const res = await fetch(`${url}/v1/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, mode }),
  });
  const body = (await res.json()) as { apiKey?: string };
  if (res.status !== 201 || body.apiKey === undefined) throw new Error(`signup failed with ${res.status}`);
  return body.apiKey;
}

async function main(): Promise<number> {
  let values: Values;
  let options: ReferenceServerOptions;
  try {
    values = parseFlags(process.argv.slice(2)).values;
    if (values.help === true) {
      console.log(usage());
      return 0;
    }
    if (values['list-faults'] === true) {
      for (const [name, description] of Object.entries(FAULTS)) console.log(`${name.padEnd(30)} ${description}`);
      return 0;
    }
    options = serverOptions(values);
  } catch (error) {
    // parseArgs throws TypeErrors with a code for unknown or malformed flags.
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true) {
      console.error(`${(error as Error).message}\n${usage()}`);
      return 2;
    }
    throw error;
  }

  let server;
  try {
    server = await startReferenceServer(options);
  } catch (error) {
    if (error instanceof RangeError) {
      console.error(`${error.message}\n${usage()}`);
      return 2;
    }
    throw error;
  }
  const faults = server.faults;
  const sandboxKey = await signup(server.url, 'Local sandbox developer', 'sandbox');
  const liveKey = await signup(server.url, 'Local live developer', 'live');
  console.log(`Grantex reference server listening on ${server.url}
  sandbox API key: ${sandboxKey}   (authorization requests are approved at once)
  live API key:    ${liveKey}   (approve on ${server.url}/consent?req=<authRequestId>)
  JWKS:            ${server.url}/.well-known/jwks.json
  test OIDC IdP:   ${server.url}/_test-idp  (use as issuerUrl in POST /v1/sso/config)
State is in memory and is lost when the server stops.${faults.length > 0 ? `\nFAULTS ON (this server breaks the protocol on purpose): ${faults.join(', ')}` : ''}`);

  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return -1;
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
