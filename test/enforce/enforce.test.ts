/**
 * Tool manifests: the JSON schema and parseManifest agree; enforce() decides
 * with a typed reason in strict and permissive mode; the OpenAPI generator
 * turns our own spec into a manifest, from the library and the command line.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEnforcer,
  type EnforceDecision,
  GrantexManifestError,
  manifestFromOpenApi,
  parseManifest,
  TOOL_MANIFEST_SCHEMA,
} from '../../src/index.js';
import { at, claims, NOW, rsaKey, signRs256 } from '../integrity/support/tokens.js';

const key = rsaKey('k1');
const jwks = { keys: [key.jwk] };
const token = (scp: string[]) => signRs256(key.privateKey, { alg: 'RS256', kid: 'k1' }, claims({ scp }));
const CRM = {
  connector: 'crm',
  tools: {
    list_contacts: 'read',
    create_lead: 'write',
    delete_contact: 'delete',
    export_all: { permission: 'admin' },
    send_campaign: { permission: 'write', scopes: ['email:send'] },
  },
};

describe('manifest schema', () => {
  const ajv = new Ajv2020({ strict: true });
  const validate = ajv.compile(TOOL_MANIFEST_SCHEMA);
  const documents: Array<[string, unknown]> = [
    ['the CRM example', CRM],
    ['a scopes-only tool', { connector: 'mail', tools: { send: { scopes: ['email:send'] } } }],
    ['with version and description', { connector: 'a', version: '1.0.0', description: 'x', tools: { t: 'read' } }],
    ['no tools', { connector: 'a', tools: {} }],
    ['an unknown level', { connector: 'a', tools: { t: 'owner' } }],
    ['an extra member', { connector: 'a', tools: { t: 'read' }, extra: 1 }],
    ['an empty requirement', { connector: 'a', tools: { t: {} } }],
    ['a bad scope', { connector: 'a', tools: { t: { scopes: ['has space'] } } }],
    ['empty scopes', { connector: 'a', tools: { t: { scopes: [] } } }],
    ['a bad connector', { connector: 'no spaces allowed', tools: { t: 'read' } }],
    ['a bad tool name', { connector: 'a', tools: { 'a/b': 'read' } }],
    ['not an object', ['read']],
    ['a number as requirement', { connector: 'a', tools: { t: 3 } }],
  ];
  it.each(documents)('agrees with parseManifest on %s', (_name, document) => {
    let parsed = true;
    try {
      parseManifest(document);
    } catch (error) {
      expect(error).toBeInstanceOf(GrantexManifestError);
      parsed = false;
    }
    expect(parsed).toBe(validate(document));
  });

  it('names the offending member', () => {
    expect(() => parseManifest({ connector: 'a', tools: { t: 'owner' } })).toThrow('manifest /tools/t:');
  });
});

describe('enforce()', () => {
  const decide = async (scp: string[], tool: string, mode?: 'strict' | 'permissive') => {
    const violations: EnforceDecision[] = [];
    const enforcer = createEnforcer({
      jwks,
      manifests: [CRM],
      ...(mode ? { mode } : {}),
      onViolation: (d) => violations.push(d),
    });
    const decision = await enforcer.enforce({ token: token(scp), tool, currentDate: at(NOW) });
    return { decision, violations };
  };

  it('allows a tool the permission level covers (admin > delete > write > read)', async () => {
    for (const [scope, tool] of [
      ['tool:crm:read', 'list_contacts'],
      ['tool:crm:write', 'list_contacts'],
      ['tool:crm:write:leads', 'create_lead'],
      ['tool:crm:delete', 'create_lead'],
      ['tool:crm:admin', 'export_all'],
    ] as const) {
      const { decision } = await decide([scope], tool);
      expect({ scope, tool, allowed: decision.allowed, reason: decision.reason }).toEqual({
        scope,
        tool,
        allowed: true,
        reason: 'allowed',
      });
    }
  });

  it('refuses with a typed reason', async () => {
    expect((await decide(['tool:crm:write'], 'delete_contact')).decision).toMatchObject({
      allowed: false,
      reason: 'insufficient_permission',
      granted: 'write',
      required: { permission: 'delete' },
    });
    expect((await decide(['tool:other:admin'], 'list_contacts')).decision.reason).toBe('insufficient_permission');
    expect((await decide(['tool:crm:write'], 'send_campaign')).decision).toMatchObject({ reason: 'missing_scope' });
    expect((await decide(['tool:crm:write', 'email:send'], 'send_campaign')).decision.allowed).toBe(true);
    expect((await decide(['tool:crm:admin'], 'no_such_tool')).decision.reason).toBe('unknown_tool');
    expect((await decide(['tool:crm:admin'], 'constructor')).decision.reason).toBe('unknown_tool');
  });

  it('refuses an invalid token in both modes', async () => {
    const enforcer = createEnforcer({ jwks, manifests: [CRM], mode: 'permissive' });
    const decision = await enforcer.enforce({ token: 'e30.e30.', tool: 'list_contacts' });
    expect(decision).toMatchObject({ allowed: false, reason: 'invalid_token', tokenError: 'malformed' });
    expect(decision.message).not.toContain('e30');
  });

  it('permissive mode allows and reports what strict mode refuses', async () => {
    const { decision, violations } = await decide(['tool:crm:read'], 'delete_contact', 'permissive');
    expect(decision).toMatchObject({ allowed: true, enforced: false, reason: 'insufficient_permission' });
    expect(violations).toEqual([decision]);
    const strict = await decide(['tool:crm:read'], 'delete_contact');
    expect(strict.decision).toMatchObject({ allowed: false, enforced: true });
    expect(strict.violations).toHaveLength(1);
  });

  it('needs the connector when several manifests are loaded', async () => {
    const enforcer = createEnforcer({ jwks, manifests: [CRM, { connector: 'mail', tools: { send: 'write' } }] });
    const t = token(['tool:mail:write']);
    expect((await enforcer.enforce({ token: t, tool: 'send', currentDate: at(NOW) })).reason).toBe('unknown_connector');
    expect((await enforcer.enforce({ token: t, tool: 'send', connector: 'mail', currentDate: at(NOW) })).allowed).toBe(
      true,
    );
  });
});

const root = resolve(import.meta.dirname, '../..');
const spec = JSON.parse(readFileSync(join(root, 'generated/openapi.json'), 'utf8'));
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];
const operations = Object.values(spec.paths as Record<string, Record<string, { operationId: string }>>).flatMap(
  (item) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ method, id: op.operationId })),
);

describe('manifestFromOpenApi on our own spec', () => {
  it('makes one tool per operation, its level from the method', () => {
    const manifest = manifestFromOpenApi(spec, { connector: 'grantex' });
    expect(Object.keys(manifest.tools).sort()).toEqual(operations.map((op) => op.id).sort());
    const level = { get: 'read', post: 'write', put: 'write', patch: 'write', delete: 'delete' } as const;
    for (const op of operations) expect(manifest.tools[op.id]).toBe(level[op.method as keyof typeof level]);
    expect(manifest.tools.agentsDelete).toBe('delete');
    expect(manifest.tools.agentsList).toBe('read');
    expect(manifest.tools.agentsCreate).toBe('write');
  });

  it('applies overrides and refuses one that names no operation', () => {
    const manifest = manifestFromOpenApi(spec, { connector: 'grantex', overrides: { tokensVerify: 'read' } });
    expect(manifest.tools.tokensVerify).toBe('read');
    expect(() => manifestFromOpenApi(spec, { overrides: { nope: 'read' } })).toThrow(GrantexManifestError);
  });

  it('names operations without an operationId from method and path, and reads x-grantex-*', () => {
    const manifest = manifestFromOpenApi({
      info: { title: 'Files API' },
      paths: {
        '/files/{id}': { get: {}, delete: { 'x-grantex-permission': 'admin' } },
        '/files': { post: { 'x-grantex-scopes': ['files:write'] } },
      },
    });
    expect(manifest).toMatchObject({
      connector: 'files-api',
      tools: {
        get_files_id: 'read',
        delete_files_id: 'admin',
        post_files: { permission: 'write', scopes: ['files:write'] },
      },
    });
  });
});

describe('grantex-manifest', () => {
  const run = promisify(execFile);
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'grantex-manifest-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const cli = (args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'src/enforce/manifest-bin.ts', ...args], { cwd: root }).then(
      () => 0,
      (error: { code: number }) => error.code,
    );

  it('writes our spec as a manifest that validates', async () => {
    const out = join(work, 'grantex.json');
    expect(
      await cli([
        '--openapi',
        'generated/openapi.json',
        '--connector',
        'grantex',
        '--override',
        'tokensVerify=read',
        '--out',
        out,
      ]),
    ).toBe(0);
    const manifest = parseManifest(JSON.parse(readFileSync(out, 'utf8')));
    expect(Object.keys(manifest.tools)).toHaveLength(operations.length);
    expect(manifest.tools.tokensVerify).toBe('read');
  }, 30_000);

  it('exits 2 on a bad override or a missing file', async () => {
    expect(await cli(['--openapi', 'generated/openapi.json', '--override', 'tokensVerify=owner'])).toBe(2);
    expect(await cli(['--openapi', join(work, 'missing.json')])).toBe(2);
  }, 30_000);
});
