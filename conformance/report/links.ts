/**
 * @module report/links
 * Links for the HTML report: each SPEC clause to its section of SPEC.md, each
 * RFC clause to the RFC's section, each operation to its place in the API
 * reference that `npm run docs` builds (hash routes `#/<tag>/<operationid>`).
 */

/** SPEC.md as published with the public implementation. */
export const SPEC_URL = 'https://github.com/mishrasanjeev/grantex/blob/main/SPEC.md';
/** The API reference `npm run docs` writes, relative to the repository root. */
export const DOCS_URL = 'build/docs/index.html';

/** SPEC.md's section headings by number (GitHub makes their anchors from them). */
const SECTIONS: Record<string, string> = {
  '1': 'Motivation',
  '2': 'Definitions',
  '3': 'Agent Identity',
  '3.1': 'DID Format',
  '3.2': 'Identity Document',
  '3.3': 'Key Management',
  '4': 'Scopes',
  '4.1': 'Format',
  '4.2': 'Standard Scope Registry',
  '4.3': 'Custom Scopes',
  '4.4': 'Scope Governance',
  '4.5': 'Scope Display',
  '5': 'Grant Flow',
  '5.1': 'Overview',
  '5.2': 'Authorization Request',
  '5.3': 'Token Exchange',
  '6': 'Grant Token Format',
  '6.1': 'Header',
  '6.2': 'Payload',
  '6.3': 'Custom Claims Reference',
  '6.4': 'Validation Rules',
  '7': 'Revocation',
  '7.1': 'Revoke a Grant',
  '7.2': 'Revoke a Specific Token',
  '7.3': 'Online Revocation Check',
  '7.4': 'Token Lifetime Guidance',
  '8': 'Audit Trail',
  '8.1': 'Log Entry Schema',
  '8.2': 'Hash Chain',
  '8.3': 'Log Action SDK Method',
  '9': 'Multi-Agent Authorization',
  '9.1': 'Delegation Endpoint',
  '9.2': 'Cascade Revocation',
  '10': 'Self-Hosting',
  '10.1': 'Core Endpoints',
  '10.2': 'Optional Extensions',
  '11': 'Policy Engine',
  '11.1': 'Purpose',
  '11.2': 'Effects',
  '11.3': 'Condition Fields',
  '11.4': 'Evaluation Order',
  '11.5': 'Example Policy',
  '11.6': 'CRUD API',
  '12': 'Enterprise Identity — SCIM & SSO',
  '12.1': 'SCIM 2.0 User Provisioning',
  '12.2': 'SSO (OIDC)',
  '13': 'Anomaly Detection',
  '13.1': 'Purpose',
  '13.2': 'Detection Trigger',
  '13.3': 'Anomaly Types',
  '13.4': 'Severity Levels',
  '13.5': 'Acknowledge Workflow',
  '14': 'Security Considerations',
  '15': 'MPP Agent Passport',
};

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The URL of a SPEC.md section (`6.4`), or undefined for a number it does not have. */
export function specSectionUrl(section: string): string | undefined {
  const title = SECTIONS[section];
  return title === undefined
    ? undefined
    : `${SPEC_URL}#${anchor(`${section}. ${title}`.replace(/^(\d+\.\d+)\. /, '$1 '))}`;
}

/**
 * A clause as HTML (`escapeText` makes text safe) with each `§N.M` of SPEC and of
 * an RFC linked. Text from our own check table, never from a server.
 */
export function linkClause(clause: string, escapeText: (text: string) => string): string {
  let rfc: string | undefined;
  return clause
    .split(/(RFC \d{3,5}|§\d+(?:\.\d+)?)/)
    .map((part) => {
      const number = /^RFC (\d{3,5})$/.exec(part);
      if (number) {
        rfc = number[1];
        return `<a href="https://www.rfc-editor.org/rfc/rfc${rfc}">${escapeText(part)}</a>`;
      }
      const section = /^§(\d+(?:\.\d+)?)$/.exec(part)?.[1];
      if (section === undefined) {
        if (/SPEC/.test(part)) rfc = undefined;
        return escapeText(part);
      }
      const url = rfc ? `https://www.rfc-editor.org/rfc/rfc${rfc}#section-${section}` : specSectionUrl(section);
      return url ? `<a href="${escapeText(url)}">${escapeText(part)}</a>` : escapeText(part);
    })
    .join('');
}

/** Where the API reference shows an operation (its first tag's page). */
export function operationUrl(operationId: string, tag: string | undefined): string {
  return `${DOCS_URL}#/${encodeURIComponent((tag ?? '').toLowerCase())}/${encodeURIComponent(operationId.toLowerCase())}`;
}
