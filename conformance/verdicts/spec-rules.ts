/**
 * @module verdicts/spec-rules
 * Every normative sentence of SPEC.md (each MUST, MUST NOT, SHOULD and
 * RECOMMENDED, plus the sentences that state protocol behaviour a check
 * enforces at MUST), in our own words, with the checks that judge it or why
 * HTTP cannot. The coverage table in conformance/README.md and `--list
 * --coverage` are rendered from it. Adding a check: list its id under the
 * rule it judges; a MUST check must judge a MUST rule and cite its § (see
 * test/conformance/citations.test.ts).
 */
import { CORE_RULES } from './rules-core.js';
import { EXTENSION_RULES } from './rules-extensions.js';

export type { SpecRule } from './rules-core.js';

/** Every rule, in SPEC.md order, then the RFC sentences SPEC.md's checks rely on. */
export const SPEC_RULES = [...CORE_RULES, ...EXTENSION_RULES] as const;
