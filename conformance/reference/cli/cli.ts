/**
 * @module cli
 * `npm run dev-server`: runs the reference server on 127.0.0.1 and prints its
 * URL with a ready-made sandbox key and live key. The command's entry is
 * main.ts, which runs this module in a process with the dev-server's flags.
 *
 *   npm run dev-server -- --port 4020 [--key key.pem] [--issuer URL] [--fault NAME]... [--variant NAME]...
 *     [--rate-limit BUCKET=N/WINDOW...]... [--max-body-bytes N] [--cors-origin ORIGIN]... [--help] [--version]
 *
 * The port comes from `--port`, else `GRANTEX_DEV_PORT`, else 4020.
 *
 * The flags are defined in cli-options.ts.
 */
import pkg from '../../../package.json' with { type: 'json' };
import { FAULTS } from '../faults.js';
import { parseCli, UsageError, usage } from './cli-options.js';
import { type ReferenceServer, startReferenceServer, type ReferenceServerOptions } from '../server.js';
import { VARIANTS } from '../variants.js';

async function main(): Promise<number> {
  let options: ReferenceServerOptions;
  try {
    const parsed = parseCli(process.argv.slice(2));
    if (parsed.action === 'help') {
      console.log(usage());
      return 0;
    }
    if (parsed.action === 'version') {
      console.log(`grantex dev-server ${pkg.version}`);
      return 0;
    }
    if (parsed.action === 'list-faults') {
      for (const [name, description] of Object.entries(FAULTS)) console.log(`${name.padEnd(30)} ${description}`);
      return 0;
    }
    if (parsed.action === 'list-variants') {
      for (const [name, description] of Object.entries(VARIANTS)) console.log(`${name.padEnd(30)} ${description}`);
      return 0;
    }
    options = parsed.options;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n${usage()}`);
      return 2;
    }
    throw error;
  }

  let server: ReferenceServer;
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
  const variants = server.variants;
  // Made directly, so that a low --rate-limit signup=N leaves the user all N.
  const sandboxKey = await server.addDeveloper('Local sandbox developer', 'sandbox');
  const liveKey = await server.addDeveloper('Local live developer', 'live');
  console.log(`Grantex reference server listening on ${server.url}
  sandbox API key: ${sandboxKey}   (authorization requests are approved at once)
  live API key:    ${liveKey}   (approve on ${server.url}/consent?req=<authRequestId>)
  JWKS:            ${server.url}/.well-known/jwks.json
  token issuer:    ${server.issuer}
  test OIDC IdP:   ${server.url}/_test-idp  (use as issuerUrl in POST /v1/sso/config)
State is in memory and is lost when the server stops.${faults.length > 0 ? `\nFAULTS ON (this server breaks the protocol on purpose): ${faults.join(', ')}` : ''}${variants.length > 0 ? `\nvariants on (permitted, not the reference behaviour): ${variants.join(', ')}` : ''}`);

  // Ctrl-C can arrive twice (from the terminal and from the launching process): the first one stops.
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void server.close().then(() => process.exit(0));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
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
