/**
 * @module test/layout
 * The folders keep the architecture that CONTRIBUTING.md maps ("Where things
 * live"): imports point one way between layers, no module takes part in an
 * import cycle (type-only imports and re-exports included: a type cycle is
 * still a design cycle), and no folder root or source file grows past what a
 * reader takes in at once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir: string, extensions: readonly string[] = ['.ts']): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path, extensions);
    return extensions.some((extension) => entry.name.endsWith(extension)) ? [path] : [];
  });
}

/** Relative module specifiers of `file`: imports, `import type`, `export … from`, dynamic `import()`. */
function dependencies(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      specifiers.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

/** Every cycle's members (strongly connected components of size > 1, or a self-import), by Tarjan. */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const strong = (node: string): void => {
    indices.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!indices.has(next)) {
        strong(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, indices.get(next)!));
    }
    if (low.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) strong(node);
  return found;
}

/** Lines as `wc -l` counts them, plus a last line without its newline. */
const lineCount = (text: string): number => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

/** Repo-relative path of an absolute one, with forward slashes. */
const rel = (file: string): string => relative(repo, file).split('\\').join('/');

/** Folders whose root may hold more files: catalogues of one file per API resource, check area or route group. */
const CATALOGUES = new Set(['src/resources', 'conformance/checks', 'conformance/reference/routes']);
/**
 * Files allowed past the line limit: tables derived from the spec. None is
 * that long today; generated/ is not hand-written and is not read at all.
 */
const LONG_TABLES = new Set<string>([]);
/** Hand-written code the line limit covers; test/vectors holds data files, not code. */
const LINE_LIMITED_ROOTS = ['src', 'conformance', 'scripts', 'test'];
const CODE_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.sh'];
const NOT_CODE = ['test/vectors/'];
const MAX_FILES_AT_ROOT = 12;
const MAX_LINES = 500;

/**
 * Which imports a layer may not make: `from` is a path prefix of the importer,
 * `to` the prefixes it must not reach.
 */
const FORBIDDEN: { from: string; to: string[]; why: string }[] = [
  {
    from: 'src/core/',
    to: ['src/resources/', 'src/integrity/', 'src/client.ts', 'src/index.ts'],
    why: 'the transport knows nothing of resources or integrity helpers',
  },
  {
    from: 'src/internal/',
    to: ['src/resources/', 'src/integrity/', 'src/client.ts', 'src/index.ts'],
    why: 'internal helpers sit below everything',
  },
  {
    from: 'src/integrity/',
    to: ['src/client.ts', 'src/index.ts', 'src/resources/', 'src/core/transport.ts', 'src/core/call.ts'],
    why: 'integrity helpers are usable without the client',
  },
  { from: 'src/resources/', to: ['src/client.ts', 'src/index.ts'], why: 'resources are built by the client' },
  { from: 'src/', to: ['conformance/', 'scripts/', 'test/'], why: 'the package never loads the suite or the tooling' },
  {
    from: 'conformance/engine/',
    to: [
      'conformance/checks/',
      'conformance/cli/',
      'conformance/report/',
      'conformance/runner.ts',
      'conformance/reference/',
    ],
    why: 'the engine runs checks it is given and renders nothing',
  },
  {
    from: 'conformance/http/',
    to: [
      'conformance/checks/',
      'conformance/cli/',
      'conformance/report/',
      'conformance/runner.ts',
      'conformance/reference/',
    ],
    why: 'the wire layer knows no check',
  },
  {
    from: 'conformance/checks/',
    to: ['conformance/cli/', 'conformance/report/', 'conformance/runner.ts', 'conformance/reference/'],
    why: 'checks judge a server over HTTP, whichever server it is',
  },
  {
    from: 'conformance/report/',
    to: ['conformance/checks/', 'conformance/cli/', 'conformance/runner.ts', 'conformance/reference/'],
    why: 'reports render a finished run',
  },
  {
    from: 'conformance/reference/',
    to: [
      'conformance/engine/',
      'conformance/checks/',
      'conformance/cli/',
      'conformance/report/',
      'conformance/runner.ts',
      'conformance/fuzz/',
    ],
    why: 'the reference server is a server, not a part of the suite',
  },
];

const files = [...sourceFiles(join(repo, 'src')), ...sourceFiles(join(repo, 'conformance'))];
const graph = new Map(files.map((file) => [file, dependencies(file)]));

describe('layout', () => {
  it('reads the modules and their imports', () => {
    const session = graph.get(join(repo, 'conformance/engine/session/run-state.ts'));
    expect(session).toBeDefined();
    expect(session).toContain(join(repo, 'conformance/http/http.ts'));
    expect(graph.get(join(repo, 'src/client.ts'))).toContain(join(repo, 'src/core/transport.ts'));
  });

  it('has no import cycle in src/ or conformance/', () => {
    const named = cycles(graph).map((component) => component.map(rel));
    expect(named).toEqual([]);
  });

  it('finds a cycle when there is one (the detector works)', () => {
    expect(
      cycles(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
          ['d', ['a']],
        ]),
      ),
    ).toEqual([['a', 'b', 'c']]);
  });

  it('keeps the imports of each layer pointing one way', () => {
    const broken: string[] = [];
    for (const [file, deps] of graph) {
      const from = rel(file);
      for (const rule of FORBIDDEN) {
        if (!from.startsWith(rule.from)) continue;
        for (const dep of deps.map(rel)) {
          if (rule.to.some((prefix) => dep.startsWith(prefix))) broken.push(`${from} → ${dep} (${rule.why})`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('keeps folder roots small, catalogues aside', () => {
    const crowded: string[] = [];
    const dirs = new Set(files.map((file) => rel(dirname(file))));
    for (const dir of dirs) {
      if (CATALOGUES.has(dir)) continue;
      const count = readdirSync(join(repo, dir), { withFileTypes: true }).filter((e) => e.isFile()).length;
      if (count > MAX_FILES_AT_ROOT) crowded.push(`${dir}: ${count} files`);
    }
    expect(crowded).toEqual([]);
  });

  it('keeps source files under the line limit (src, conformance, scripts, test)', () => {
    const code = LINE_LIMITED_ROOTS.flatMap((root) => sourceFiles(join(repo, root), CODE_EXTENSIONS));
    expect(code).toContain(join(repo, 'scripts/generate.ts'));
    expect(code).toContain(join(repo, 'test/layout.test.ts'));
    const long = code
      .filter((file) => !LONG_TABLES.has(rel(file)) && !NOT_CODE.some((prefix) => rel(file).startsWith(prefix)))
      .map((file) => ({ file: rel(file), lines: lineCount(readFileSync(file, 'utf8')) }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    expect(long).toEqual([]);
  });
});
