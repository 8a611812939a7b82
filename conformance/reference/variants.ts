/**
 * @module variants
 * Named behaviours that SPEC.md and the bundled spec permit but do not
 * require, which the reference server can switch on like faults. Each one is
 * a way a correct server may differ from the reference; the conformance suite
 * must pass every one of them, so its checks compare modulo exactly the
 * normalisations the spec allows.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Every variant, with what it changes and the spec text that allows it. */
export const VARIANTS = {
  'trim-names':
    'Names of agents and developers are stored trimmed of surrounding whitespace, as on the public server (spec: names may be trimmed).',
  'reverse-lists':
    'Lists whose order SPEC.md leaves open (agents, grants, policies, webhooks, SCIM tokens, anomalies) come in the reverse of the reference order.',
  'issuer-alias':
    'Grant tokens name the issuer http://localhost:PORT: another name of the same server, which serves the same key set (SPEC §6.4).',
  'extra-fields':
    'Response objects whose schema allows more members (additionalProperties) carry one more, `x-reference-variant`, at the top level and in listed items.',
  'other-id-format':
    'Identifiers are the documented prefix and 32 lowercase hex digits (time-ordered, like a UUIDv7) instead of a ULID, within the documented patterns.',
  'eager-anomalies':
    'Anomaly detection at its most eager: any recorded action of an agent is a high-severity rate spike, so detection revokes the active grants of every agent that acted (SPEC §13 leaves thresholds open).',
} as const satisfies Record<string, string>;

/** The name of one variant. */
export type VariantName = keyof typeof VARIANTS;

/** All variant names, in a stable order. */
export const VARIANT_NAMES = Object.keys(VARIANTS) as VariantName[];

/** Whether `name` is a known variant. */
export function isVariantName(name: string): name is VariantName {
  return Object.hasOwn(VARIANTS, name);
}

/** The member `extra-fields` adds to response objects. */
export const EXTRA_FIELD = 'x-reference-variant';

/** The set of active variants; empty for the reference behaviour. */
export class Variants {
  readonly #active: ReadonlySet<VariantName>;

  constructor(active: readonly VariantName[] = []) {
    for (const name of active) {
      if (!isVariantName(name)) throw new TypeError(`Unknown variant: ${String(name)}`);
    }
    this.#active = new Set(active);
  }

  /** Whether the variant `name` is switched on. */
  has(name: VariantName): boolean {
    return this.#active.has(name);
  }

  /** The active variants. */
  list(): VariantName[] {
    return [...this.#active];
  }

  /** A name as the server stores it. */
  name(value: string): string {
    return this.has('trim-names') ? value.trim() : value;
  }

  /** A list in the order the server answers with (`reverse-lists` reverses the reference order). */
  order<T>(items: T[]): T[] {
    return this.has('reverse-lists') ? items.reverse() : items;
  }
}

/**
 * The id format of the server handling the current request. Several servers
 * with different variants can run in one process (the self-test), so the
 * format travels with the request rather than living in a global.
 */
export const idFormat = new AsyncLocalStorage<'ulid' | 'hex'>();

/**
 * Runs `work` with ids in `format`. The default format needs no store: on
 * Node 20, the first store in use turns on async context tracking, which
 * costs every promise of the process from then on.
 */
export function withIdFormat<T>(format: 'ulid' | 'hex', work: () => T): T {
  return format === 'hex' ? idFormat.run(format, work) : work();
}
