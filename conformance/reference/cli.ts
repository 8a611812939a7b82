/**
 * @module cli
 * `npm run dev-server`: runs the reference server on 127.0.0.1 and prints its
 * URL with a ready-made sandbox key and live key.
 *
 *   npm run dev-server -- --port 4020 [--key key.pem] [--issuer URL] [--fault NAME]... [--variant NAME]...
 *
 * The port comes from `--port`, else `GRANTEX_DEV_PORT`, else 4020.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { FAULTS, isFaultName, type FaultName } from './faults.js';
import { startReferenceServer } from './server.js';
import { isVariantName, VARIANTS, type VariantName } from './variants.js';

const USAGE = `Usage: npm run dev-server -- [--port N] [--key FILE] [--issuer URL] [--fault NAME]... [--variant NAME]...
  --port N         port to listen on (default: GRANTEX_DEV_PORT or 4020)
  --key FILE       RSA private key (PKCS#8 PEM) to sign grant tokens with (default: a new key)
  --issuer URL     the iss of grant tokens and the base of consentUrl and other links, e.g. the
                   public URL of a proxy in front of this server (default: the server's own URL)
  --fault NAME     switch on a named protocol violation (tests of conformance suites only)
  --list-faults    print the fault names and exit
  --variant NAME   switch on a permitted behaviour a client or suite must accept (repeatable)
  --list-variants  print the variant names and exit`;

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
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      key: { type: 'string' },
      issuer: { type: 'string' },
      fault: { type: 'string', multiple: true },
      'list-faults': { type: 'boolean' },
      variant: { type: 'string', multiple: true },
      'list-variants': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    console.log(USAGE);
    return 0;
  }
  if (values['list-faults'] === true) {
    for (const [name, description] of Object.entries(FAULTS)) console.log(`${name.padEnd(30)} ${description}`);
    return 0;
  }
  if (values['list-variants'] === true) {
    for (const [name, description] of Object.entries(VARIANTS)) console.log(`${name.padEnd(30)} ${description}`);
    return 0;
  }
  const issuer = values.issuer;
  if (issuer !== undefined && !/^https?:\/\/[^/\s]+\S*$/.test(issuer)) {
    console.error(`Invalid issuer: ${JSON.stringify(issuer)} (an http(s) URL)\n${USAGE}`);
    return 2;
  }
  const variants: VariantName[] = [];
  for (const name of values.variant ?? []) {
    if (!isVariantName(name)) {
      console.error(`Unknown variant: ${name} (see --list-variants)`);
      return 2;
    }
    variants.push(name);
  }
  const portText = values.port ?? process.env['GRANTEX_DEV_PORT'] ?? '4020';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`Invalid port: ${portText}\n${USAGE}`);
    return 2;
  }
  const faults: FaultName[] = [];
  for (const name of values.fault ?? []) {
    if (!isFaultName(name)) {
      console.error(`Unknown fault: ${name} (see --list-faults)`);
      return 2;
    }
    faults.push(name);
  }

  const server = await startReferenceServer({
    port,
    faults,
    variants,
    ...(issuer !== undefined ? { issuer } : {}),
    ...(values.key !== undefined ? { keys: { privateKey: readFileSync(values.key, 'utf8') } } : {}),
  });
  const sandboxKey = await signup(server.url, 'Local sandbox developer', 'sandbox');
  const liveKey = await signup(server.url, 'Local live developer', 'live');
  console.log(`Grantex reference server listening on ${server.url}
  sandbox API key: ${sandboxKey}   (authorization requests are approved at once)
  live API key:    ${liveKey}   (approve on ${server.url}/consent?req=<authRequestId>)
  JWKS:            ${server.url}/.well-known/jwks.json
  token issuer:    ${server.issuer}
  test OIDC IdP:   ${server.url}/_test-idp  (use as issuerUrl in POST /v1/sso/config)
State is in memory and is lost when the server stops.${faults.length > 0 ? `\nFAULTS ON (this server breaks the protocol on purpose): ${faults.join(', ')}` : ''}${variants.length > 0 ? `\nvariants on (permitted, not the reference behaviour): ${variants.join(', ')}` : ''}`);

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
