/**
 * @module fuzz/clauses
 * Where a sentence of SPEC.md (not only our schema) makes a request invalid:
 * the members the protocol's own requests need. Leaving one out, giving it
 * the wrong JSON type, or sending no readable body at all breaks that
 * sentence, so accepting such a request is a MUST failure
 * (`fuzz.invalid-refused`); any other schema violation is judged at SHOULD
 * (`fuzz.invalid-handled`): our schemas are stricter than the protocol.
 */
import type { Mutation } from './mutations.js';

/** Members a SPEC.md section requires of an operation's body, with the clause. */
const REQUIRED_BY: Record<string, { members: readonly string[]; clause: string }> = {
  authorize: { members: ['agentId', 'principalId', 'scopes'], clause: 'SPEC §5.2 agentId, principalId and scopes' },
  tokensExchange: { members: ['code', 'agentId'], clause: 'SPEC §5.3 the code and its agentId' },
  tokensRevoke: { members: ['jti'], clause: 'SPEC §7.2 the jti of the token' },
  tokensVerify: { members: ['token'], clause: 'SPEC §7.3 the token' },
  grantsDelegate: {
    members: ['parentGrantToken', 'subAgentId', 'scopes'],
    clause: 'SPEC §9.1 the parentGrantToken (step 1), the scopes (step 3) and the subAgentId (step 4)',
  },
};

/** The clause that makes this mutated request invalid, if a sentence of SPEC.md does. */
export function clauseMakingInvalid(operationId: string, mutation: Mutation | undefined): string | undefined {
  const rule = REQUIRED_BY[operationId];
  if (rule === undefined || mutation === undefined) return undefined;
  if (mutation.kind === 'malformed-json') return rule.clause;
  if (mutation.kind !== 'missing-required' && mutation.kind !== 'wrong-type') return undefined;
  const member = /^body\.([A-Za-z0-9_]+)[ :]/.exec(mutation.label)?.[1];
  return member !== undefined && rule.members.includes(member) ? rule.clause : undefined;
}
