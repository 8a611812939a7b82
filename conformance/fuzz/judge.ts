/**
 * @module fuzz/judge
 * The six fuzz checks and their verdicts on one answer: no server error on a
 * valid request, a documented status, a valid response, a request that a
 * SPEC.md clause makes invalid refused (MUST), any other invalid request
 * refused with the error shape and without a server error (SHOULD: our
 * schemas are stricter than the protocol), a valid request accepted.
 */
import { documents } from '../engine/findings.js';
import type { Exchange } from '../http/http.js';
import type { FuzzOperation } from './operations.js';
import type { ContractValidator } from '../http/contract.js';

/** The fuzz checks, in the order they are listed. */
export const FUZZ_CHECKS = [
  'fuzz.no-server-error',
  'fuzz.status-documented',
  'fuzz.response-valid',
  'fuzz.invalid-refused',
  'fuzz.invalid-handled',
  'fuzz.valid-accepted',
] as const;
export type FuzzCheckId = (typeof FUZZ_CHECKS)[number];

/** What kind of request was sent: valid, carrying one violation, or a hostile but schema-valid string. */
export type RequestKind = 'positive' | 'negative' | 'hostile';

/** One check's verdict on one answer. */
export interface Judgement {
  check: FuzzCheckId;
  status: number;
  message: string;
  expected: string;
  observed: string;
}

/** Every fuzz check's verdict on one answer to a request of `kind`. */
export function judge(
  contract: ContractValidator,
  op: FuzzOperation,
  kind: RequestKind,
  exchange: Exchange,
  /** For an invalid request: the SPEC.md clause that makes it invalid, if one does. */
  clause?: string,
): Judgement[] {
  const out: Judgement[] = [];
  const status = exchange.status;
  const documented = documents(op.statuses, status);
  const where = `${op.method.toUpperCase()} ${op.template}`;
  const answer = `${status} ${short(exchange.responseText)}`;
  const what =
    kind === 'positive'
      ? 'a valid request'
      : kind === 'negative'
        ? 'an invalid request'
        : 'a request with a hostile string';
  if (status >= 500 && (status === 500 || !documented)) {
    out.push({
      // No sentence says how to refuse input no clause makes invalid: a crash on it is a SHOULD finding.
      check: kind === 'negative' && clause === undefined ? 'fuzz.invalid-handled' : 'fuzz.no-server-error',
      status,
      message: `${op.operationId}: ${what} got a server error`,
      expected: `no 5xx (documented: ${op.statuses.join(', ')})`,
      observed: answer,
    });
  }
  if (!documented && status < 500) {
    const check: FuzzCheckId = kind === 'positive' && status >= 400 ? 'fuzz.valid-accepted' : 'fuzz.status-documented';
    out.push({
      check,
      status,
      message: `${op.operationId}: ${what} got status ${status}, which ${where} does not document`,
      expected: `one of ${op.statuses.join(', ')}`,
      observed: answer,
    });
  }
  const violations = exchange.violations.filter(
    (v) => !/is not documented for|error body does not have the error shape/.test(v),
  );
  if (documented && violations.length > 0) {
    out.push({
      check: 'fuzz.response-valid',
      status,
      message: `${op.operationId}: the ${status} answer breaks the spec`,
      expected: `headers and body as documented for ${status}`,
      observed: `${violations.slice(0, 3).join('; ')} · ${answer}`,
    });
  }
  if (kind === 'negative') {
    if (status < 400) {
      out.push({
        check: clause !== undefined ? 'fuzz.invalid-refused' : 'fuzz.invalid-handled',
        status,
        message: `${op.operationId}: an invalid request was accepted`,
        expected: clause !== undefined ? `a 4xx refusal (${clause})` : 'a 4xx refusal (our schema refuses it)',
        observed: answer,
      });
    } else if (status < 500 && !errorShaped(contract, exchange.body)) {
      out.push({
        check: 'fuzz.invalid-handled',
        status,
        message: `${op.operationId}: the refusal of an invalid request lacks the error shape`,
        expected: '{message, code, requestId} (SCIM routes: a SCIM error)',
        observed: answer,
      });
    }
  }
  return out;
}

function errorShaped(contract: ContractValidator, body: unknown): boolean {
  return contract.validateSchema('Error', body).length === 0 || contract.validateSchema('ScimError', body).length === 0;
}

function short(text: string, max = 240): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
