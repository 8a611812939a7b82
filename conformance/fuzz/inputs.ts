/**
 * @module fuzz/inputs
 * The inputs of one operation's properties: generated from its schemas (the
 * suite's own resources first), the fixed valid example every run sends
 * first, the fallback for negatives, and the negative mutations its policy
 * allows. Valid means what the spec admits.
 */
import fc from 'fast-check';
import type { Contract } from '../reference/http/validate.js';
import type { Session } from '../engine/session/session.js';
import { mutationsOf, type Mutation, type RequestInput } from './mutations.js';
import type { FuzzOperation } from './operations.js';
import { POOL_BY_NAME, type Pool } from './pool.js';
import { SchemaArbitraries, type Json } from './schema.js';

/** Schema values for the run: the pool's ids first where a member names one, names tagged with the run id. */
function inputGenerator(session: Session, pool: Pool): SchemaArbitraries {
  const root = session.contract.spec;
  const plain = new SchemaArbitraries(root);
  const runId = session.runId;
  return new SchemaArbitraries(root, (name, schema) => {
    const key = POOL_BY_NAME[name];
    const known = key ? pool[key] : undefined;
    // Names the run creates carry its id, like everything else the suite creates.
    if (
      !known &&
      /^(name|label|displayName|description|userName|principalId)$/.test(name) &&
      schema['type'] === 'string'
    ) {
      const max = Number(schema['maxLength'] ?? 200);
      return fc.string({ maxLength: 12 }).map((suffix) => `${runId}-fuzz ${suffix}`.slice(0, max));
    }
    if (known === undefined) return undefined;
    // Ids of the suite's own resources first (shrinking goes there), else unknown ones.
    return fc.oneof(fc.constant(known), plain.of(schema));
  });
}

/** An operation's inputs as its schemas describe them: path ids (the pool's first, else unknown ones), query and body. */
export function requestInputs(session: Session, pool: Pool, op: FuzzOperation): fc.Arbitrary<RequestInput> {
  const generator = inputGenerator(session, pool);
  const root = session.contract.spec;
  const pathArbitrary = fc.record(
    Object.fromEntries(
      op.path.map((p) => {
        const key = POOL_BY_NAME[p.name];
        const known = key ? pool[key] : undefined;
        const unknown = new SchemaArbitraries(root).of(p.schema).map(String);
        return [p.name, known ? fc.oneof(fc.constant(known), unknown) : unknown];
      }),
    ),
  ) as fc.Arbitrary<Record<string, string>>;
  const queryArbitrary = generator.object(
    Object.fromEntries(op.query.map((p) => [p.name, p.schema])),
    op.query.filter((p) => p.required).map((p) => p.name),
  );
  const bodyArbitrary = op.body ? generator.of(op.body.schema) : fc.constant(undefined);
  return fc.record({ path: pathArbitrary, query: queryArbitrary, body: bodyArbitrary }).map((input) => {
    const out: RequestInput = { path: input.path, query: input.query };
    if (input.body !== undefined) out.body = input.body;
    return out;
  });
}

/** The operation's negative mutations its policy allows, in their fixed order. */
export function mutationsFor(root: Json, op: FuzzOperation): Mutation[] {
  if (op.policy.negatives === 'none') return [];
  const all = mutationsOf({
    root,
    ...(op.body ? { body: op.body.schema } : {}),
    query: op.query,
  });
  return op.policy.negatives === 'syntax'
    ? all.filter((m) => m.kind === 'malformed-json' || m.kind === 'wrong-content-type')
    : all;
}

/** A valid request naming the pool's resources: the fixed example every run sends first. */
export function exampleInput(
  contract: Contract,
  pool: Pool,
  op: FuzzOperation,
  inputs: fc.Arbitrary<RequestInput>,
): RequestInput | undefined {
  const pathIds: Record<string, string> = {};
  for (const p of op.path) {
    const key = POOL_BY_NAME[p.name];
    const known = key ? pool[key] : undefined;
    if (known) pathIds[p.name] = known;
  }
  // Sampled with a fixed seed, so the example is the same on every run against the same pool.
  for (const candidate of fc.sample(inputs, { seed: 20261201 + op.index, numRuns: 50 })) {
    // Required query members only, naming the pool where they can.
    const required = Object.fromEntries(
      op.query.filter((p) => p.required && p.name in candidate.query).map((p) => [p.name, candidate.query[p.name]]),
    );
    const input: RequestInput = {
      ...candidate,
      path: { ...candidate.path, ...pathIds },
      query: preferPool(required, pool) ?? {},
    };
    if (op.body && op.body.schema['type'] === 'object') input.body = preferPool(input.body as Json, pool);
    if (validInput(contract, op, input)) return minimalInput(contract, op, input);
  }
  return undefined;
}

/** The example without the optional body members it can do without (fixed examples are not shrunk, so they start small). */
function minimalInput(contract: Contract, op: FuzzOperation, input: RequestInput): RequestInput {
  if (!op.body || input.body === null || typeof input.body !== 'object' || Array.isArray(input.body)) return input;
  const required = new Set((op.body.schema['required'] ?? []) as string[]);
  let body = input.body as Json;
  for (const name of Object.keys(body)) {
    if (required.has(name)) continue;
    const { [name]: _dropped, ...rest } = body;
    if (validInput(contract, op, { ...input, body: rest })) body = rest;
  }
  return { ...input, body };
}

/** A request naming the pool's resources (or unknown ids), for negatives of an operation without a valid example. */
export function fallbackInput(pool: Pool, op: FuzzOperation): RequestInput {
  const path: Record<string, string> = {};
  for (const p of op.path) path[p.name] = pool[POOL_BY_NAME[p.name]!] ?? 'gxc-unknown';
  return { path, query: {}, ...(op.body ? { body: {} } : {}) };
}

/** Whether the spec admits the input (parameters and body). */
export function validInput(contract: Contract, op: FuzzOperation, input: RequestInput): boolean {
  const query = new URLSearchParams(
    Object.entries(input.query).flatMap(([name, value]) => (value === undefined ? [] : [[name, String(value)]])),
  );
  if (contract.validateParameters(op.operationId, input.path, query).message !== undefined) return false;
  if (op.body && input.body !== undefined && contract.validateBody(op.operationId, input.body) !== undefined)
    return false;
  if (op.body?.required && input.body === undefined) return false;
  return true;
}

/** Replaces members that name a pool resource by that resource, so the example acts on the suite's own data. */
function preferPool(body: Json | undefined, pool: Pool): Json | undefined {
  if (!body) return body;
  const out: Json = { ...body };
  for (const name of Object.keys(out)) {
    const key = POOL_BY_NAME[name];
    if (key && pool[key] !== undefined) out[name] = pool[key];
  }
  return out;
}

/** At most `count` mutations, spread over the kinds (rate-limited routes get a few of each kind). */
export function spread(mutations: Mutation[], count: number): Mutation[] {
  const kinds = [...new Set(mutations.map((m) => m.kind))];
  const picked: Mutation[] = [];
  for (let round = 0; picked.length < Math.min(count, mutations.length); round++) {
    for (const kind of kinds) {
      const candidate = mutations.filter((m) => m.kind === kind)[round];
      if (candidate && picked.length < count) picked.push(candidate);
    }
  }
  return picked;
}
