/**
 * @module enforce/cli
 * `grantex-manifest`: writes the tool manifest of an OpenAPI document as JSON.
 * Exit codes: 0 written, 2 bad arguments or an unusable document.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isPermission, type ToolRequirement } from './manifest.js';
import { manifestFromOpenApi } from './openapi.js';

const HELP = `grantex-manifest: a Grantex tool manifest from an OpenAPI document

Usage: grantex-manifest --openapi FILE [options]

  --openapi FILE          the OpenAPI 3.x document (JSON; YAML when the "yaml" package is installed)
  --connector NAME        the connector name (default: from info.title)
  --override TOOL=LEVEL   read | write | delete | admin for one operation (repeatable)
  --out FILE              write the manifest there (default: stdout)
  --help                  this text

Each operation becomes a tool named by its operationId: GET → read, POST/PUT/PATCH → write, DELETE → delete.
Operations may carry x-grantex-permission and x-grantex-scopes; --override wins.
`;

/** Runs the command; resolves to the exit code. */
export async function manifestMain(argv: readonly string[]): Promise<number> {
  const fail = (message: string) => {
    process.stderr.write(`grantex-manifest: ${message}\n`);
    return 2;
  };
  let values: { openapi?: string; connector?: string; override?: string[]; out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        openapi: { type: 'string' },
        connector: { type: 'string' },
        override: { type: 'string', multiple: true },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.openapi === undefined) return fail('--openapi FILE is required (see --help)');
  const overrides: Record<string, ToolRequirement> = {};
  for (const item of values.override ?? []) {
    const [tool, level] = item.split('=', 2);
    if (!tool || !isPermission(level))
      return fail(`--override must read TOOL=read|write|delete|admin (got ${JSON.stringify(item)})`);
    overrides[tool] = level;
  }
  let document: unknown;
  try {
    const text = readFileSync(values.openapi, 'utf8');
    if (/\.ya?ml$/i.test(values.openapi)) {
      const yaml = (await import('yaml' as string).catch(() => undefined)) as
        | { parse(text: string): unknown }
        | undefined;
      if (yaml === undefined) return fail('reading YAML needs the "yaml" package; convert the document to JSON');
      document = yaml.parse(text);
    } else document = JSON.parse(text);
  } catch (error) {
    return fail(`cannot read ${values.openapi}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    const manifest = manifestFromOpenApi(document, {
      ...(values.connector !== undefined ? { connector: values.connector } : {}),
      overrides,
    });
    const json = `${JSON.stringify(manifest, null, 2)}\n`;
    if (values.out !== undefined) {
      writeFileSync(values.out, json);
      process.stderr.write(`${Object.keys(manifest.tools).length} tools written to ${values.out}\n`);
    } else process.stdout.write(json);
    return 0;
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
}
