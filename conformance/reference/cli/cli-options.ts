/**
 * @module cli-options
 * The dev-server's flags and how they become server options; `--help` is
 * generated from the same table.
 *
 * To add a flag: add an entry to FLAGS (it shows in `--help`) and read it in
 * `serverOptions`.
 */
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { corsMiddleware } from '../http/cors.js';
import { isFaultName, type FaultName } from '../faults.js';
import { isVariantName, type VariantName } from '../variants.js';
import { BUCKET_NAMES, parseRateLimit, type RateLimitOptions } from '../http/rate-limit.js';
import type { ReferenceServerOptions } from '../server.js';

interface Flag {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** The value's placeholder in `--help`, e.g. `N`. */
  value?: string;
  help: string;
}

export const FLAGS = {
  port: { type: 'string', value: 'N', help: 'port to listen on (default: GRANTEX_DEV_PORT or 4020)' },
  key: {
    type: 'string',
    value: 'FILE',
    help: 'RSA private key (PKCS#8 PEM) to sign grant tokens with (default: a new key)',
  },
  issuer: {
    type: 'string',
    value: 'URL',
    help: "the iss of grant tokens and the base of consentUrl and other links, e.g. the public URL of a proxy in front of this server (default: the server's own URL)",
  },
  fault: {
    type: 'string',
    multiple: true,
    value: 'NAME',
    help: 'switch on a named protocol violation (tests of conformance suites only)',
  },
  'list-faults': { type: 'boolean', help: 'print the fault names and exit' },
  variant: {
    type: 'string',
    multiple: true,
    value: 'NAME',
    help: 'switch on a permitted behaviour a client or suite must accept',
  },
  'list-variants': { type: 'boolean', help: 'print the variant names and exit' },
  'rate-limit': {
    type: 'string',
    multiple: true,
    value: 'BUCKET=N[/WINDOW]',
    help: `allow N requests per WINDOW (30s, 1m, 1h, 500ms; default 1m) in BUCKET, one of ${BUCKET_NAMES.join(', ')} (developer = default); default 10000/1m each. Several may follow one flag: --rate-limit token=5 authorize=2/30s`,
  },
  'max-body-bytes': {
    type: 'string',
    value: 'N',
    help: 'longest request body read; longer ones get 413 (default 1048576)',
  },
  'cors-origin': {
    type: 'string',
    multiple: true,
    value: 'ORIGIN',
    help: 'origin browsers may call from, e.g. http://localhost:5173 (default: *, any origin)',
  },
  help: { type: 'boolean', short: 'h', help: 'print this help and exit' },
  version: { type: 'boolean', help: 'print the version and exit' },
} satisfies Record<string, Flag>;

type Values = ReturnType<typeof parseFlags>['values'];

function parseFlags(args: string[]) {
  let parsed: ReturnType<typeof parseAll>;
  try {
    parsed = parseAll(args);
  } catch (error) {
    // parseArgs throws TypeErrors with an ERR_PARSE_ARGS_* code for unknown or malformed flags.
    throw new UsageError((error as Error).message);
  }
  // `--rate-limit a=1 b=2`: the values after the flag's own (BUCKET=… words) belong to it too.
  const extra: string[] = [];
  let previous: (typeof parsed.tokens)[number] | undefined;
  let following = false;
  for (const token of parsed.tokens) {
    if (token.kind === 'positional') {
      following &&= /^[a-z-]+=/.test(token.value);
      if (!following)
        throw new UsageError(
          `Unexpected argument ${JSON.stringify(token.value)}${previous?.kind === 'option' ? ` after --${previous.name}` : ''}`,
        );
      extra.push(token.value);
    } else following = token.kind === 'option' && token.name === 'rate-limit';
    previous = token;
  }
  if (extra.length === 0) return parsed;
  return { ...parsed, values: { ...parsed.values, 'rate-limit': [...(parsed.values['rate-limit'] ?? []), ...extra] } };
}

function parseAll(args: string[]) {
  return parseArgs({
    args,
    options: FLAGS satisfies ParseArgsConfig['options'],
    strict: true,
    allowPositionals: true,
    tokens: true,
  });
}

/** The `--help` text. */
export function usage(): string {
  const lines = Object.entries(FLAGS as Record<string, Flag>).map(([name, flag]) => {
    const left = `--${name}${flag.value !== undefined ? ` ${flag.value}` : ''}${flag.multiple === true ? '...' : ''}`;
    return `  ${left.padEnd(34)} ${flag.help}`;
  });
  // The installed bin (dist/grantex-dev-server.js, through node_modules/.bin), or `npm run dev-server` in a clone.
  const command = /grantex-dev-server(\.js)?$/.test(process.argv[1] ?? '')
    ? 'npx grantex-dev-server'
    : 'npm run dev-server --';
  return `Usage: ${command} [options]\n${lines.join('\n')}\nExit codes: 0 stopped by SIGINT/SIGTERM, or after --help, --version, --list-* · 1 the server could not start (e.g. port in use) or failed · 2 bad options`;
}

/** A usage error: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

function positiveInteger(text: string, flag: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`Invalid --${flag}: ${text} (expected a positive whole number)`);
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
  const variants: VariantName[] = [];
  for (const name of values.variant ?? []) {
    if (!isVariantName(name)) throw new UsageError(`Unknown variant: ${name} (see --list-variants)`);
    variants.push(name);
  }
  const issuer = values.issuer;
  if (issuer !== undefined && !/^https?:\/\/[^/\s]+\S*$/.test(issuer))
    throw new UsageError(`Invalid issuer: ${JSON.stringify(issuer)} (an http(s) URL)`);
  const rateLimits: RateLimitOptions = {};
  for (const text of values['rate-limit'] ?? []) {
    try {
      const { bucket, limit } = parseRateLimit(text);
      rateLimits[bucket] = limit;
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  const options: ReferenceServerOptions = { port, faults, variants, rateLimits };
  if (issuer !== undefined) options.issuer = issuer;
  if (values.key !== undefined) options.keys = { privateKey: readFileSync(values.key, 'utf8') };
  if (values['max-body-bytes'] !== undefined)
    options.maxBodyBytes = positiveInteger(values['max-body-bytes'], 'max-body-bytes');
  if (values['cors-origin'] !== undefined) {
    try {
      corsMiddleware(values['cors-origin']); // checks each origin
    } catch (error) {
      throw new UsageError(`Invalid --cors-origin: ${(error as Error).message}`);
    }
    options.corsOrigins = values['cors-origin'];
  }
  return options;
}

/** What the command line asks for: help, the fault list, or a server with these options. */
export type CliRequest =
  | { action: 'help' }
  | { action: 'version' }
  | { action: 'list-faults' }
  | { action: 'list-variants' }
  | { action: 'serve'; options: ReferenceServerOptions };

/**
 * Parses the dev-server's arguments (without `node` and the script).
 *
 * @throws {UsageError} for an unknown flag or a malformed value.
 */
export function parseCli(args: string[]): CliRequest {
  const { values } = parseFlags(args);
  if (values.help === true) return { action: 'help' };
  if (values.version === true) return { action: 'version' };
  if (values['list-faults'] === true) return { action: 'list-faults' };
  if (values['list-variants'] === true) return { action: 'list-variants' };
  return { action: 'serve', options: serverOptions(values) };
}
