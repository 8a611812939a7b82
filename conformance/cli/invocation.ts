/**
 * @module invocation
 * How this run was invoked, as a shell line that replay arguments can follow:
 * the command as the user typed it (`npx grantex-conformance`, `npm run
 * conformance --`, or the script run directly) and the flags that shape the
 * target and the traffic, each value quoted, each secret a variable. Flags
 * that select checks, seeds or reports are left out: a replay brings its own.
 */
import { basename, relative } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { shellWord } from '../report/rerun.js';

/** Flags kept in replay lines, with their kinds (the rest select checks, seeds, reports or output). */
const KEPT = {
  'base-url': { type: 'string' },
  'api-key': { type: 'string', multiple: true },
  issuer: { type: 'string' },
  'event-api-key': { type: 'string' },
  'allow-side-effects': { type: 'boolean' },
  'scim-token': { type: 'string' },
  approval: { type: 'string' },
  'no-signup': { type: 'boolean' },
  'shrink-budget': { type: 'string' },
  'shrink-time': { type: 'string' },
  timeout: { type: 'string' },
  'max-rps': { type: 'string' },
  budget: { type: 'string' },
  'max-retry-after': { type: 'string' },
  'receiver-host': { type: 'string' },
  'webhook-wait': { type: 'string' },
  'keep-on-failure': { type: 'boolean' },
} satisfies NonNullable<ParseArgsConfig['options']>;

/** Secret flags, shown as the variable the user sets (the n-th --api-key: `$GRANTEX_API_KEY`, then `_2`). */
const SECRET_VARIABLES: Record<string, string[]> = {
  'api-key': ['GRANTEX_API_KEY', 'GRANTEX_API_KEY_2'],
  'event-api-key': ['GRANTEX_EVENT_API_KEY'],
  'scim-token': ['GRANTEX_SCIM_TOKEN'],
};

/** The command part: what the user ran to start the suite. */
export function commandOf(env: NodeJS.ProcessEnv, script: string | undefined, cwd: string): string {
  if (env['npm_lifecycle_event'] === 'conformance') return 'npm run conformance --';
  if (script && /^grantex-conformance(\.[cm]?js)?$/.test(basename(script))) return 'npx grantex-conformance';
  if (script) return `npx tsx ${shellWord(relative(cwd, script) || script)}`;
  return 'npx grantex-conformance';
}

/**
 * The replay prefix: the command, then the kept flags of `argv` in their
 * order, with secrets as `"$VARIABLE"`. `argv` is a command line the CLI
 * accepted; flags not kept, and their values, are passed over.
 */
export function replayCommand(argv: readonly string[], command: string): string {
  const { tokens } = parseArgs({
    args: [...argv],
    options: KEPT,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const parts = [command];
  const seen = new Map<string, number>();
  for (const token of tokens ?? []) {
    if (token.kind !== 'option' || !Object.hasOwn(KEPT, token.name)) continue;
    const index = seen.get(token.name) ?? 0;
    seen.set(token.name, index + 1);
    parts.push(`--${token.name}`);
    if (token.value === undefined) continue;
    const variable = SECRET_VARIABLES[token.name]?.[index];
    parts.push(variable ? `"$${variable}"` : shellWord(token.value));
  }
  return parts.join(' ');
}
