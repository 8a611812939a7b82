/**
 * @module test/conformance/citations
 * A MUST needs a normative sentence: every check registered in
 * checks/index.ts cites only SPEC.md sections that exist (our list in
 * engine/spec-sections.ts), appears in the coverage table (engine/spec-rules.ts),
 * and a MUST check judges a MUST rule whose § (or RFC section) its clause cites.
 * The README's coverage table is the rendered one.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../conformance/checks/index.js';
import { renderCoverageTable } from '../../conformance/verdicts/coverage-table.js';
import { citedRfcs, citedSections, specSection } from '../../conformance/verdicts/spec-sections.js';
import { SPEC_RULES } from '../../conformance/verdicts/spec-rules.js';

const checks = ALL_CHECKS.map(({ id, level, clause }) => ({ id, level, clause }));
const ids = new Set(checks.map((check) => check.id));

function rulesOf(id: string) {
  return SPEC_RULES.filter((rule) => rule.judgedBy.includes(id));
}

function cites(clause: string, section: string): boolean {
  return section.startsWith('RFC') ? citedRfcs(clause).includes(section) : citedSections(clause).includes(section);
}

describe('citations', () => {
  it.each(checks)('$id cites only sections SPEC.md has', ({ clause }) => {
    for (const number of citedSections(clause)) expect(specSection(number), `§${number} in "${clause}"`).toBeDefined();
  });

  it.each(checks.filter((check) => check.level === 'MUST'))(
    '$id (MUST) judges a MUST rule whose section its clause cites',
    ({ id, clause }) => {
      const must = rulesOf(id).filter((rule) => rule.level === 'MUST');
      expect(must.length, `${id} is listed under no MUST rule of engine/spec-rules.ts`).toBeGreaterThan(0);
      expect(
        must.some((rule) => cites(clause, rule.section)),
        `${id}: "${clause}" cites none of ${must.map((rule) => rule.section).join(', ')}`,
      ).toBe(true);
    },
  );

  it.each(checks)('$id is in the coverage table', ({ id }) => {
    expect(rulesOf(id).length, `${id} is listed under no rule of engine/spec-rules.ts`).toBeGreaterThan(0);
  });

  it('the coverage table names only checks that exist, and every rule is judged or says why not', () => {
    for (const rule of SPEC_RULES) {
      for (const id of rule.judgedBy) if (id !== 'contract.op.*') expect(ids.has(id), `${rule.id}: ${id}`).toBe(true);
      if (!rule.section.startsWith('RFC')) expect(specSection(rule.section), rule.id).toBeDefined();
      expect(rule.judgedBy.length > 0 || (rule.notOverHttp ?? '').length > 0, rule.id).toBe(true);
      expect(rule.id.startsWith(rule.section.startsWith('RFC') ? rule.section : `§${rule.section}/`), rule.id).toBe(
        true,
      );
    }
    expect(new Set(SPEC_RULES.map((rule) => rule.id)).size).toBe(SPEC_RULES.length);
  });

  it('the clause parser tells SPEC sections from RFC sections', () => {
    expect(citedSections('RFC 7636 §4.6 verifier; SPEC §5.3')).toEqual(['5.3']);
    expect(citedSections('SPEC §13.2–13.5 detection')).toEqual(['13.2', '13.5']);
    expect(citedRfcs('SPEC §5.3 token exchange; RFC 6749 §4.1.2 codes')).toEqual(['RFC 6749 §4.1.2']);
  });

  it('conformance/README.md shows the rendered coverage table (npm run coverage:table writes it)', () => {
    const readme = readFileSync('conformance/README.md', 'utf8');
    const table = /<!-- coverage:start -->\n([\s\S]*?)<!-- coverage:end -->/.exec(readme)?.[1];
    expect(table).toBe(renderCoverageTable(ALL_CHECKS));
  });
});
