// The identity groups of the spec describe what the public server really
// answers: every response captured from a local build of it (our fixtures and
// the shared surface vectors) validates against the bundled spec.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ContractValidator, type RecordedResponse } from '../../conformance/http/contract.js';

interface Captured {
  request: { method: string; path: string };
  response: { status: number; headers: Record<string, string>; body?: unknown };
}

const FIXTURES = new URL('./fixtures/identity/', import.meta.url);
const VECTORS = new URL('../vectors/surface/', import.meta.url);

/** Every `{request, response}` record in a capture file, with its name. */
function records(url: URL): [string, Captured][] {
  const found: [string, Captured][] = [];
  const walk = (value: unknown, name: string) => {
    if (typeof value !== 'object' || value === null) return;
    const record = value as Partial<Captured>;
    if (record.request && record.response) {
      found.push([name, record as Captured]);
      return;
    }
    for (const [key, child] of Object.entries(value)) walk(child, name ? `${name}.${key}` : key);
  };
  walk(JSON.parse(readFileSync(url, 'utf8')) as unknown, '');
  return found;
}

// The vectors replace API keys by a placeholder that is not key-shaped; give it the shape back.
const unredact = (body: unknown): unknown =>
  JSON.parse(JSON.stringify(body ?? null).replaceAll('"<api key>"', '"gx_test_REDACTED"')) as unknown;

function recorded(record: Captured): RecordedResponse {
  const raw = record.response.body;
  const body = raw === undefined || raw === null || raw === '' ? undefined : unredact(raw);
  return {
    status: record.response.status,
    responseHeaders: record.response.headers,
    responseText: body === undefined ? '' : JSON.stringify(body),
    body,
  };
}

const contract = ContractValidator.bundled();

const captures = [
  ...readdirSync(FIXTURES).map((file) => new URL(file, FIXTURES)),
  ...['did.json', 'passport.json', 'credentials.json', 'trust-registry.json', 'consent-bundle.json'].map(
    (file) => new URL(file, VECTORS),
  ),
]
  .flatMap((url) =>
    records(url).map(([name, record]) => ({ file: url.pathname.split('/').slice(-2).join('/'), name, record })),
  )
  // The vectors also record the 404s of paths that no server serves (agent DID documents): not operations.
  .filter(({ record }) => contract.match(record.request.method, record.request.path) || record.response.status !== 404);

describe('identity spec against the public server', () => {
  it('has captures of every identity operation that the server answers locally', () => {
    const seen = new Set(
      captures.flatMap(({ record }) => contract.match(record.request.method, record.request.path)?.operationId ?? []),
    );
    // These need a service the local build cannot reach (public DNS, a real authenticator, a paid plan).
    const outside = new Set(['registryLegacyVerifyDns']);
    const identityOps = contract.operations.filter((op) =>
      [
        'DID',
        'Passports',
        'Credentials',
        'Trust registry',
        'Consent bundles',
        'Principal sessions',
        'WebAuthn',
        'Domains',
        'Account',
      ].includes(op.tags[0] ?? ''),
    );
    expect(identityOps.length).toBe(45);
    const missing = identityOps.map((op) => op.operationId).filter((id) => !seen.has(id) && !outside.has(id));
    expect(missing).toEqual([]);
  });

  it.each(captures.map((capture) => [`${capture.file} ${capture.name}`, capture] as const))(
    '%s validates',
    (_label, { record }) => {
      const op = contract.match(record.request.method, record.request.path);
      expect(op, `${record.request.method} ${record.request.path}`).toBeDefined();
      expect(contract.validateResponse(op!.operationId, recorded(record))).toEqual([]);
    },
  );
});
