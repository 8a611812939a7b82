/**
 * The ```ts examples in the integrity modules' TSDoc must compile against the
 * real API: each is type-checked as the body of an async function, with the
 * free variables it names declared below.
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const MODULES = [
  'src/integrity/pkce.ts',
  'src/integrity/verify/grant-token.ts',
  'src/integrity/webhook-signature.ts',
  'src/integrity/audit-chain.ts',
];
const PRELUDE = `import * as grantex from '../../src/integrity/index.js';
const { computeCodeChallenge, generatePkce, verifyCodeChallenge, verifyGrantToken, createGrantVerifier, verifyWebhookSignature, verifyWebhook, signWebhookPayload, computeAuditHash, verifyAuditChain } = grantex;
declare const token: string, rawBody: string, secret: string, url: string, body: string, codeVerifier: string;
declare const request: { headers: Record<string, string> };
declare const stored: { codeChallenge: string };
declare const event: grantex.WebhookEvent;
declare const entry: grantex.AuditEntry, entries: grantex.AuditEntry[];
declare function forget(grantId: string): void;
declare const client: import('../../src/client.js').Grantex, agentId: string;
`;

function examples(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!.replace(/^\s*\* ?/gm, ''));
}

describe('TSDoc examples', () => {
  const all = MODULES.flatMap((file) => examples(file).map((code, i) => ({ file, i, code })));

  it('exist in every integrity module', () => {
    for (const file of MODULES) expect(examples(file).length).toBeGreaterThan(0);
  });

  it('compile', () => {
    const name = (n: number) => `test/integrity/__example_${n}.ts`;
    const files = new Map(
      all.map((example, n) => [
        name(n),
        `${PRELUDE}\nexport async function example(): Promise<unknown> {\n${example.code}\nreturn undefined;\n}\n`,
      ]),
    );
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    };
    const host = ts.createCompilerHost(options);
    const read = host.readFile.bind(host);
    const exists = host.fileExists.bind(host);
    const getSourceFile = host.getSourceFile.bind(host);
    host.readFile = (f) => files.get(ts.sys.resolvePath(f).replace(`${process.cwd()}/`, '')) ?? read(f);
    host.fileExists = (f) => files.has(ts.sys.resolvePath(f).replace(`${process.cwd()}/`, '')) || exists(f);
    host.getSourceFile = (f, v, ...rest) => {
      const text = files.get(ts.sys.resolvePath(f).replace(`${process.cwd()}/`, ''));
      return text === undefined ? getSourceFile(f, v, ...rest) : ts.createSourceFile(f, text, v);
    };
    const program = ts.createProgram(
      [...files.keys()].map((f) => `${process.cwd()}/${f}`),
      options,
      host,
    );
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file?.fileName.includes('__example_'))
      .map((d) => {
        const n = Number(/__example_(\d+)/.exec(d.file!.fileName)![1]);
        return `${all[n]!.file} example ${all[n]!.i + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(problems).toEqual([]);
  });
});
