/**
 * @module routes/request-limits
 * The documented limits of authorize and agent bodies (our OpenAPI's
 * AuthorizeRequest and CreateAgentRequest) and the faults that move one of
 * them by a step: refusing a value exactly at the limit, or accepting one
 * past it. The limits themselves are enforced by request validation against
 * the spec.
 */
import type { FaultName, Faults } from '../faults.js';
import { badRequest } from '../http/http-error.js';

/** A length limit of one member of a body (for scopes: of each scope), or of the number of scopes. */
interface LengthLimit {
  operations: readonly string[];
  /** `count`: the number of items of the member; else the length of each string. */
  count?: true;
  field: 'scopes' | 'redirectUri' | 'state' | 'audience' | 'principalId';
  max: number;
  /** The fault that refuses a value exactly at `max`. */
  atLimitRefused: FaultName;
  /** The fault that accepts a value past `max`. */
  pastLimitAccepted: FaultName;
}

const AUTHORIZE = ['authorize'];

const LIMITS: readonly LengthLimit[] = [
  {
    operations: ['authorize', 'agentsCreate'],
    field: 'scopes',
    max: 256,
    atLimitRefused: 'scope-length-off-by-one',
    pastLimitAccepted: 'scope-length-unbounded',
  },
  {
    operations: AUTHORIZE,
    field: 'redirectUri',
    max: 2048,
    atLimitRefused: 'redirect-uri-length-off-by-one',
    pastLimitAccepted: 'redirect-uri-length-unbounded',
  },
  {
    operations: AUTHORIZE,
    field: 'state',
    max: 1024,
    atLimitRefused: 'state-length-off-by-one',
    pastLimitAccepted: 'state-length-unbounded',
  },
  {
    operations: AUTHORIZE,
    field: 'audience',
    max: 1024,
    atLimitRefused: 'audience-length-off-by-one',
    pastLimitAccepted: 'audience-length-unbounded',
  },
  {
    operations: AUTHORIZE,
    field: 'principalId',
    max: 256,
    atLimitRefused: 'principal-length-off-by-one',
    pastLimitAccepted: 'principal-length-unbounded',
  },
  {
    operations: AUTHORIZE,
    count: true,
    field: 'scopes',
    max: 100,
    // The limit itself has its own, older fault (scope-limit-off-by-one, in the authorize route).
    atLimitRefused: 'scope-limit-off-by-one',
    pastLimitAccepted: 'scope-count-unbounded',
  },
  {
    operations: ['agentsCreate'],
    count: true,
    field: 'scopes',
    max: 100,
    atLimitRefused: 'agent-scope-limit-off-by-one',
    pastLimitAccepted: 'agent-scopes-unbounded',
  },
];

type Body = Record<string, unknown>;

/** The strings a limit applies to: each scope, or the member itself. */
function valuesOf(body: Body, field: LengthLimit['field']): string[] {
  const value = body[field];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return typeof value === 'string' ? [value] : [];
}

function cut(value: unknown, limit: LengthLimit): unknown {
  if (limit.count) return Array.isArray(value) ? value.slice(0, limit.max) : value;
  if (typeof value === 'string') return value.slice(0, limit.max);
  return Array.isArray(value) ? value.map((item) => cut(item, limit)) : value;
}

/** How far `body` goes towards the limit: the number of items, or the longest string. */
function extent(body: Body, limit: LengthLimit): number {
  if (limit.count) return Array.isArray(body[limit.field]) ? (body[limit.field] as unknown[]).length : 0;
  return Math.max(0, ...valuesOf(body, limit.field).map((value) => value.length));
}

/**
 * What request validation sees of a body: the body itself, except that under
 * a `*-unbounded` fault the member whose limit it lifts is cut to its limit
 * first, so a longer value passes.
 */
export function validatedView(faults: Faults, operationId: string, body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  let view = body as Body;
  for (const limit of LIMITS) {
    if (limit.operations.includes(operationId) && faults.has(limit.pastLimitAccepted) && limit.field in view)
      view = { ...view, [limit.field]: cut(view[limit.field], limit) };
  }
  return view;
}

/** Broken on purpose under a `*-off-by-one` fault: a value exactly at its limit is refused. */
export function refuseAtLimit(faults: Faults, operationId: string, body: Body): void {
  for (const limit of LIMITS) {
    if (limit.operations.includes(operationId) && faults.has(limit.atLimitRefused) && extent(body, limit) >= limit.max)
      throw badRequest(`${limit.field} is too long (at most ${limit.max})`);
  }
}
