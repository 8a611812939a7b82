/**
 * @module enforce/enforce
 * `createEnforcer()`: decides whether a grant token lets an agent call a tool,
 * from loaded manifests, with a typed decision and its reason; a permissive
 * mode reports refusals instead of making them, for migration.
 */
import type { VerifiedGrant } from '../integrity/verify/claims.js';
import { GrantexTokenError, type GrantexTokenErrorCode } from '../integrity/verify/errors.js';
import { createGrantVerifier, type GrantVerifier, type GrantVerifierOptions } from '../integrity/verify/grant-token.js';
import { type Permission, type ToolManifest, parseManifest, PERMISSIONS, permissionCovers } from './manifest.js';

/** Why a decision came out as it did. */
export type EnforceReason =
  | 'allowed'
  | 'invalid_token'
  | 'unknown_connector'
  | 'unknown_tool'
  | 'insufficient_permission'
  | 'missing_scope';

/** The answer of {@link Enforcer.enforce}. */
export interface EnforceDecision {
  /** Whether the call may go ahead. In permissive mode, true for every valid token. */
  allowed: boolean;
  /** False when permissive mode let through a call that strict mode would refuse. */
  enforced: boolean;
  reason: EnforceReason;
  /** A sentence for logs; names no token. */
  message: string;
  connector: string;
  tool: string;
  /** What the tool needs, from its manifest. */
  required?: { permission?: Permission; scopes?: string[] };
  /** The highest permission the token grants on this connector. */
  granted?: Permission;
  /** With `invalid_token`: the verifier's code. */
  tokenError?: GrantexTokenErrorCode;
  /** The verified grant (absent with `invalid_token`). */
  grant?: VerifiedGrant;
}

/** Options of {@link createEnforcer}. */
export type EnforcerOptions = (GrantVerifierOptions | { verifier: GrantVerifier }) & {
  /** Manifests (parsed objects or raw JSON values, validated here). */
  manifests: readonly unknown[];
  /**
   * `strict` (default) refuses; `permissive` allows what the manifests would
   * refuse and reports it to `onViolation`. A token that fails verification
   * is refused in both modes.
   */
  mode?: 'strict' | 'permissive';
  /** Called for every decision that refuses, or would refuse in strict mode. Errors it throws are ignored. */
  onViolation?: (decision: EnforceDecision) => void;
};

/** Decides tool calls; see {@link createEnforcer}. */
export interface Enforcer {
  /** Never rejects: every outcome is a decision. */
  enforce(call: { token: string; tool: string; connector?: string; currentDate?: Date }): Promise<EnforceDecision>;
}

/**
 * Builds an enforcer. Permission scopes read `tool:<connector>:<level>` with
 * optional further parts (`tool:salesforce:write:leads`); a higher level
 * covers the lower ones. A tool that lists `scopes` needs each of them in the
 * token too. `connector` may be left out of a call when one manifest is loaded.
 *
 * @throws {GrantexManifestError} when a manifest is invalid, {@link GrantexTokenError} on bad verifier options.
 * @example
 * ```ts
 * const enforcer = createEnforcer({ jwksUri, manifests: [JSON.parse(readFileSync('crm.json', 'utf8'))] });
 * const decision = await enforcer.enforce({ token, tool: 'delete_contact' });
 * if (!decision.allowed) throw new Error(decision.message);
 * ```
 */
export function createEnforcer(options: EnforcerOptions): Enforcer {
  const { manifests: raw, mode = 'strict', onViolation, ...rest } = options;
  if (mode !== 'strict' && mode !== 'permissive')
    throw new GrantexTokenError('invalid_options', '"mode" must be "strict" or "permissive"');
  const manifests = new Map<string, ToolManifest>();
  for (const value of raw) {
    const manifest = parseManifest(value);
    manifests.set(manifest.connector, manifest);
  }
  const verifier =
    'verifier' in rest && rest.verifier !== undefined
      ? rest.verifier
      : createGrantVerifier(rest as GrantVerifierOptions);
  const only = manifests.size === 1 ? [...manifests.keys()][0] : undefined;

  const report = (decision: EnforceDecision): EnforceDecision => {
    if (decision.reason === 'allowed') return decision;
    const final =
      mode === 'permissive' && decision.reason !== 'invalid_token'
        ? { ...decision, allowed: true, enforced: false, message: `permissive: ${decision.message}` }
        : decision;
    try {
      onViolation?.(final);
    } catch {
      // A failing hook never changes the decision.
    }
    return final;
  };

  return {
    async enforce({ token, tool, connector = only ?? '', currentDate }) {
      const base = { connector, tool, allowed: false, enforced: true };
      let grant: VerifiedGrant;
      try {
        grant = await verifier.verify(token, currentDate ? { currentDate } : {});
      } catch (error) {
        const code = error instanceof GrantexTokenError ? error.code : 'malformed';
        return report({
          ...base,
          reason: 'invalid_token',
          tokenError: code,
          message: `the token was refused (${code})`,
        });
      }
      const manifest = manifests.get(connector);
      if (manifest === undefined)
        return report({
          ...base,
          grant,
          reason: 'unknown_connector',
          message: `no manifest for connector "${connector}"`,
        });
      const requirement = Object.hasOwn(manifest.tools, tool) ? manifest.tools[tool] : undefined;
      if (requirement === undefined)
        return report({
          ...base,
          grant,
          reason: 'unknown_tool',
          message: `"${tool}" is not in the ${connector} manifest`,
        });
      const required = typeof requirement === 'string' ? { permission: requirement } : requirement;
      const granted = grantedPermission(grant.scopes, connector);
      const decided = { ...base, grant, required, ...(granted ? { granted } : {}) };
      if (
        required.permission !== undefined &&
        (granted === undefined || !permissionCovers(granted, required.permission))
      )
        return report({
          ...decided,
          reason: 'insufficient_permission',
          message: `"${tool}" needs ${required.permission} on ${connector}; the token grants ${granted ?? 'nothing'}`,
        });
      const missing = (required.scopes ?? []).filter((scope) => !grant.scopes.includes(scope));
      if (missing.length > 0)
        return report({ ...decided, reason: 'missing_scope', message: `"${tool}" needs scope ${missing.join(' ')}` });
      return { ...decided, allowed: true, reason: 'allowed', message: `"${tool}" allowed` };
    },
  };
}

/** The highest level among the token's `tool:<connector>:<level>[:…]` scopes. */
function grantedPermission(scopes: readonly string[], connector: string): Permission | undefined {
  let best = -1;
  const prefix = `tool:${connector}:`;
  for (const scope of scopes) {
    if (!scope.startsWith(prefix)) continue;
    const level = scope.slice(prefix.length).split(':', 1)[0]!;
    best = Math.max(best, PERMISSIONS.indexOf(level as Permission));
  }
  return best < 0 ? undefined : PERMISSIONS[best];
}
