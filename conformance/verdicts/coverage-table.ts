/**
 * @module verdicts/coverage-table
 * The coverage table of SPEC.md's normative sentences (engine/spec-rules.ts):
 * each rule with the checks that judge it, or why HTTP cannot. Rendered as
 * Markdown for conformance/README.md (`npm run coverage:table`) and for
 * `--list --coverage`.
 */
import type { CheckInfo } from '../engine/types.js';
import { SPEC_RULES } from './spec-rules.js';
import { SPEC_VERSION } from './spec-sections.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The table as Markdown, ending with a newline. `checks` gives each judging check's level. */
export function renderCoverageTable(checks: readonly Pick<CheckInfo, 'id' | 'level'>[]): string {
  const levels = new Map(checks.map((check) => [check.id, check.level]));
  const rows = SPEC_RULES.map((rule) => {
    const where = rule.section.startsWith('RFC') ? rule.section : `§${rule.section}`;
    const judged = rule.judgedBy.map((id) => {
      const level = id === 'contract.op.*' ? 'MUST' : levels.get(id);
      return `\`${id}\`${level && level !== rule.level ? ` (${level})` : ''}`;
    });
    const how = [judged.join(', '), rule.notOverHttp ? `not over HTTP: ${rule.notOverHttp}` : '']
      .filter(Boolean)
      .join('; ');
    return [where, rule.level, `${rule.form === 'keyword' ? '' : '(stated) '}${cell(rule.says)}`, cell(how)];
  });
  const header = ['where', 'level', 'rule (our words)', 'judged by'];
  // Padded like the Markdown formatter (Biome) writes tables, so the README stays formatted.
  const widths = header.map((title, index) => Math.max(title.length, ...rows.map((row) => [...row[index]!].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((text, index) => text + ' '.repeat(widths[index]! - [...text].length)).join(' | ')} |`;
  const judged = SPEC_RULES.filter((rule) => rule.judgedBy.length > 0).length;
  const keyword = SPEC_RULES.filter((rule) => rule.form === 'keyword' && !rule.section.startsWith('RFC')).length;
  return [
    `SPEC.md ${SPEC_VERSION}: ${SPEC_RULES.length} rules (${keyword} written with MUST/SHOULD/RECOMMENDED, the others stated as protocol behaviour or from an RFC SPEC.md names); ${judged} judged by checks, ${SPEC_RULES.length - judged} not over HTTP. "Protocol Design Decisions" restates §4.4, §7.4, §9 and §14: the rows of those sections judge it.`,
    '',
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map(line),
    '',
  ].join('\n');
}
