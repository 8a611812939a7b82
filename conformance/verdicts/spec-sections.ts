/**
 * @module verdicts/spec-sections
 * Our own list of SPEC.md's numbered sections (number and heading), kept by
 * hand from SPEC.md v1.0 (frozen). A check's clause may only cite a § that is
 * listed here; test/conformance/citations.test.ts enforces it for every check
 * registered in checks/index.ts. When SPEC.md gets a new version, update this
 * list first.
 */

/** One numbered section of SPEC.md. */
export interface SpecSection {
  /** `3`, `3.3`, `9.1`. */
  number: string;
  title: string;
}

export const SPEC_VERSION = '1.0 (rev 3)';

export const SPEC_SECTIONS: readonly SpecSection[] = [
  { number: '1', title: 'Motivation' },
  { number: '2', title: 'Definitions' },
  { number: '3', title: 'Agent Identity' },
  { number: '3.1', title: 'DID Format' },
  { number: '3.2', title: 'Identity Document' },
  { number: '3.3', title: 'Key Management' },
  { number: '4', title: 'Scopes' },
  { number: '4.1', title: 'Format' },
  { number: '4.2', title: 'Standard Scope Registry' },
  { number: '4.3', title: 'Custom Scopes' },
  { number: '4.4', title: 'Scope Governance' },
  { number: '4.5', title: 'Scope Display' },
  { number: '5', title: 'Grant Flow' },
  { number: '5.1', title: 'Overview' },
  { number: '5.2', title: 'Authorization Request' },
  { number: '5.3', title: 'Token Exchange' },
  { number: '6', title: 'Grant Token Format' },
  { number: '6.1', title: 'Header' },
  { number: '6.2', title: 'Payload' },
  { number: '6.3', title: 'Custom Claims Reference' },
  { number: '6.4', title: 'Validation Rules' },
  { number: '7', title: 'Revocation' },
  { number: '7.1', title: 'Revoke a Grant' },
  { number: '7.2', title: 'Revoke a Specific Token' },
  { number: '7.3', title: 'Online Revocation Check' },
  { number: '7.4', title: 'Token Lifetime Guidance' },
  { number: '8', title: 'Audit Trail' },
  { number: '8.1', title: 'Log Entry Schema' },
  { number: '8.2', title: 'Hash Chain' },
  { number: '8.3', title: 'Log Action SDK Method' },
  { number: '9', title: 'Multi-Agent Authorization' },
  { number: '9.1', title: 'Delegation Endpoint' },
  { number: '9.2', title: 'Cascade Revocation' },
  { number: '10', title: 'Self-Hosting' },
  { number: '10.1', title: 'Core Endpoints' },
  { number: '10.2', title: 'Optional Extensions' },
  { number: '11', title: 'Policy Engine' },
  { number: '11.1', title: 'Purpose' },
  { number: '11.2', title: 'Effects' },
  { number: '11.3', title: 'Condition Fields' },
  { number: '11.4', title: 'Evaluation Order' },
  { number: '11.5', title: 'Example Policy' },
  { number: '11.6', title: 'CRUD API' },
  { number: '12', title: 'Enterprise Identity — SCIM & SSO' },
  { number: '12.1', title: 'SCIM 2.0 User Provisioning' },
  { number: '12.2', title: 'SSO (OIDC)' },
  { number: '13', title: 'Anomaly Detection' },
  { number: '13.1', title: 'Purpose' },
  { number: '13.2', title: 'Detection Trigger' },
  { number: '13.3', title: 'Anomaly Types' },
  { number: '13.4', title: 'Severity Levels' },
  { number: '13.5', title: 'Acknowledge Workflow' },
  { number: '14', title: 'Security Considerations' },
  { number: '15', title: 'MPP Agent Passport' },
  { number: '15.1', title: 'AgentPassportCredential' },
  { number: '15.2', title: 'MPP Header Convention' },
  { number: '15.3', title: 'Merchant Verification Algorithm' },
  { number: '15.4', title: 'Trust Registry' },
];

/** The section with this number, if SPEC.md has it. */
export function specSection(number: string): SpecSection | undefined {
  return SPEC_SECTIONS.find((section) => section.number === number);
}

/**
 * The SPEC.md sections a clause cites: every `§N` or `§N.M` that is not
 * another standard's (`RFC 6749 §4.1.2`, `WHATWG HTML §9.2.5`), with ranges
 * (`§13.2–13.5`) expanded to their ends. Only SPEC.md and RFC sections can
 * back a MUST (see spec-rules.ts); another standard's § may back a SHOULD.
 */
export function citedSections(clause: string): string[] {
  const out: string[] = [];
  for (const match of clause.matchAll(
    /(RFC\s*\d+\s*|WHATWG\s+HTML\s*)?§\s*(\d+(?:\.\d+)*)(?:\s*[–-]\s*(\d+(?:\.\d+)*))?/g,
  )) {
    if (match[1]) continue;
    out.push(match[2]!);
    if (match[3]) out.push(match[3]);
  }
  return out;
}

/** The RFC sections a clause cites, as `RFC 6749 §4.1.2`. */
export function citedRfcs(clause: string): string[] {
  return [...clause.matchAll(/RFC\s*(\d+)\s*§\s*(\d+(?:\.\d+)*)/g)].map((match) => `RFC ${match[1]} §${match[2]}`);
}
