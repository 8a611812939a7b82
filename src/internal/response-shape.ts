/**
 * @module response-shape
 * Checks a parsed success body against the minimal shape the generation step
 * derived from the spec (generated/response-shapes.ts): its JSON type and, for
 * objects, the presence and JSON type of every required field. Optional fields
 * and formats are not checked; the point is that a typed field the caller reads
 * is really there, at the cost of one walk over the required fields.
 */
import { responseShapes, type Shape } from '../../generated/response-shapes.js';

/** The shapes of one operation's success responses, by status; `undefined` for an operation the spec lacks. */
export type OperationShapes = { readonly [status: string]: Shape | 0 } | undefined;

/** The shapes of the operation `method template` (e.g. `GET`, `/v1/agents/{agentId}`). */
export function operationShapes(method: string, template: string): OperationShapes {
  return responseShapes[`${method} ${template}`];
}

/**
 * The shape a body with `status` must have: the one documented for it, or the
 * only success response documented; `0` when it is not JSON, `undefined` when
 * the spec says nothing that applies.
 */
export function shapeFor(shapes: OperationShapes, status: number): Shape | 0 | undefined {
  if (shapes === undefined) return undefined;
  const exact = shapes[status] ?? shapes['2XX'];
  if (exact !== undefined) return exact;
  let only: Shape | 0 | undefined;
  let count = 0;
  for (const key in shapes) {
    only = shapes[key];
    count++;
  }
  return count === 1 ? only : undefined;
}

/** Where `value` first departs from `shape` (e.g. `$.grantToken: missing`), or `undefined` when it fits. */
export function findMismatch(value: unknown, shape: Shape, at = '$'): string | undefined {
  if (typeof shape === 'string') {
    const nullable = shape.length === 2;
    if (value === null) return nullable || shape === '*' ? undefined : `${at}: null, expected ${NAMES[shape[0]!]}`;
    return fits(value, shape[0]!) ? undefined : `${at}: ${jsonType(value)}, expected ${NAMES[shape[0]!]}`;
  }
  if (value === null) return shape.n === 1 ? undefined : `${at}: null, expected ${'r' in shape ? 'object' : 'array'}`;
  if ('r' in shape) {
    if (typeof value !== 'object' || Array.isArray(value)) return `${at}: ${jsonType(value)}, expected object`;
    const fields = shape.r;
    for (const name in fields) {
      const field = (value as Record<string, unknown>)[name];
      if (field === undefined) return `${at}.${name}: missing`;
      const problem = findMismatch(field, fields[name]!, `${at}.${name}`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (!Array.isArray(value)) return `${at}: ${jsonType(value)}, expected array`;
  for (let i = 0; i < value.length; i++) {
    const problem = findMismatch(value[i], shape.i, `${at}[${i}]`);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

const NAMES: Record<string, string> = {
  s: 'string',
  n: 'number',
  i: 'integer',
  b: 'boolean',
  a: 'array',
  o: 'object',
  '*': 'any value',
};

function fits(value: unknown, code: string): boolean {
  switch (code) {
    case 's':
      return typeof value === 'string';
    case 'n':
      return typeof value === 'number';
    case 'i':
      return Number.isInteger(value);
    case 'b':
      return typeof value === 'boolean';
    case 'a':
      return Array.isArray(value);
    case 'o':
      return typeof value === 'object' && !Array.isArray(value);
    default:
      return true;
  }
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return Number.isInteger(value) ? 'integer' : typeof value;
}
