/**
 * @module routes/authorize-limits
 * The documented length limits of an authorization request (our OpenAPI's
 * AuthorizeRequest) and the faults that move one of them by a step: refusing
 * a value exactly at the limit, or accepting one past it. The limits
 * themselves are enforced by request validation against the spec.
 */
import type { Faults } from '../faults.js';
import { badRequest } from '../http/http-error.js';

/** A length limit of one member of an authorize body (a scope: of each scope). */
interface LengthLimit {
  field: 'scopes' | 'redirectUri' | 'state' | 'audience';
  max: number;
  /** Refuses a value of exactly `max` characters. */
  atLimitRefused:
    | 'scope-length-off-by-one'
    | 'redirect-uri-length-off-by-one'
    | 'state-length-off-by-one'
    | 'audience-length-off-by-one';
  /** Accepts a value longer than `max`. */
  pastLimitAccepted:
    | 'scope-length-unbounded'
    | 'redirect-uri-length-unbounded'
    | 'state-length-unbounded'
    | 'audience-length-unbounded';
}

const LIMITS: readonly LengthLimit[] = [
  {
    field: 'scopes',
    max: 256,
    atLimitRefused: 'scope-length-off-by-one',
    pastLimitAccepted: 'scope-length-unbounded',
  },
  {
    field: 'redirectUri',
    max: 2048,
    atLimitRefused: 'redirect-uri-length-off-by-one',
    pastLimitAccepted: 'redirect-uri-length-unbounded',
  },
  { field: 'state', max: 1024, atLimitRefused: 'state-length-off-by-one', pastLimitAccepted: 'state-length-unbounded' },
  {
    field: 'audience',
    max: 1024,
    atLimitRefused: 'audience-length-off-by-one',
    pastLimitAccepted: 'audience-length-unbounded',
  },
];

type Body = Record<string, unknown>;

/** The strings a limit applies to: each scope, or the member itself. */
function valuesOf(body: Body, field: LengthLimit['field']): string[] {
  const value = body[field];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return typeof value === 'string' ? [value] : [];
}

function cut(value: unknown, max: number): unknown {
  if (typeof value === 'string') return value.slice(0, max);
  return Array.isArray(value) ? value.map((item) => cut(item, max)) : value;
}

/**
 * What request validation sees of an authorize body: the body itself, except
 * that under a `*-unbounded` fault the member whose limit it lifts is cut to
 * its limit first, so a longer value passes.
 */
export function validatedView(faults: Faults, operationId: string, body: unknown): unknown {
  if (operationId !== 'authorize' || typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  let view = body as Body;
  for (const limit of LIMITS) {
    if (faults.has(limit.pastLimitAccepted) && limit.field in view)
      view = { ...view, [limit.field]: cut(view[limit.field], limit.max) };
  }
  return view;
}

/** Broken on purpose under a `*-off-by-one` fault: a value exactly at its limit is refused. */
export function refuseAtLimit(faults: Faults, body: Body): void {
  for (const limit of LIMITS) {
    if (faults.has(limit.atLimitRefused) && valuesOf(body, limit.field).some((value) => value.length >= limit.max))
      throw badRequest(`${limit.field} is too long (max ${limit.max} characters)`);
  }
}
