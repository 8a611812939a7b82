/**
 * @module engine/session/types
 * What the session hands the checks: the developers the run acts as, the
 * agents it registered, the grant tokens it obtained, and how to ask for one.
 */
import type { Credential } from '../types.js';

export type Mode = 'live' | 'sandbox';

/** A developer account the run acts as. */
export interface Developer {
  /** `A` (the developer under test), `B` (the other developer of the isolation checks), `C` (checks with developer-wide reactions). */
  name: 'A' | 'B' | 'C';
  key: Credential;
  id?: string;
  mode?: Mode;
  /** Created by this run with `POST /v1/signup`. */
  signedUp: boolean;
  /** Where its key came from, for messages: `--api-key`, `GRANTEX_API_KEY`, `--event-api-key`, `POST /v1/signup`. */
  source: string;
}

export interface Agent {
  agentId: string;
  did: string;
  developerId: string;
  name: string;
}

/** A grant token obtained by the run, with what was asked for. */
export interface Issued {
  grantToken: string;
  refreshToken: string;
  grantId: string;
  scopes: string[];
  expiresAt: string;
  jti: string;
  claims: Record<string, unknown>;
  header: Record<string, unknown>;
  agent: Agent;
  principalId: string;
  /** How the code was obtained. */
  approval: Approval;
  /** Server clock estimate at exchange (seconds), from the token's `iat`. */
  issuedAt: number;
}

export type Approval = 'sandbox' | 'policy' | 'consent' | 'sandbox-approve';

export interface IssueRequest {
  agent: Agent;
  scopes: string[];
  principalId?: string;
  expiresIn?: string;
  audience?: string;
  pkce?: { challenge: string; verifier: string };
}
