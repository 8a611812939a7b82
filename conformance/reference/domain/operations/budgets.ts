/**
 * @module domain/budgets
 * Spending budgets attached to grants. Amounts are kept as whole ten-thousandths
 * (the public server's four decimal places), so debits never drift.
 */
import type { Tenant } from '../store.js';

/** Ten-thousandths per unit of currency. */
export const SCALE = 10_000;
/** Transactions kept per grant for the history; the balance is unaffected when old ones go. */
export const MAX_TRANSACTIONS_PER_GRANT = 10_000;
/** Transactions kept per developer, across grants, in entries and in bytes of metadata (oldest forgotten first). */
export const MAX_TRANSACTIONS_PER_DEVELOPER = { entries: 50_000, metadataBytes: 32 * 1024 * 1024 } as const;

export interface AllocationRecord {
  id: string;
  grantId: string;
  developerId: string;
  initial: number;
  remaining: number;
  currency: string;
  createdAt: string;
  updatedAt: string;
}

export interface TransactionRecord {
  id: string;
  grantId: string;
  allocationId: string;
  amount: number;
  description: string | null;
  metadata: Record<string, unknown>;
  createdAt: string;
}

export interface BudgetState {
  /** By grant id: one allocation per grant. */
  allocations: Map<string, AllocationRecord>;
  /** By grant id, oldest first. */
  transactions: Map<string, TransactionRecord[]>;
  /** Every kept transaction, oldest first: its grant and metadata size (what the developer-wide caps count). */
  kept: Map<string, { grantId: string; bytes: number }>;
  keptBytes: number;
}

const states = new WeakMap<Tenant, BudgetState>();

export function budgetsOf(tenant: Tenant): BudgetState {
  let state = states.get(tenant);
  if (state === undefined) {
    state = { allocations: new Map(), transactions: new Map(), kept: new Map(), keptBytes: 0 };
    states.set(tenant, state);
  }
  return state;
}

/** An amount in ten-thousandths, or undefined when it is not a positive finite amount within range. */
export function toUnits(amount: number): number | undefined {
  const units = Math.round(amount * SCALE);
  return Number.isFinite(amount) && units > 0 && Number.isSafeInteger(units) ? units : undefined;
}

/** `"87.5000"`: the public server's decimal strings. */
export function money(units: number): string {
  return `${Math.trunc(units / SCALE)}.${String(units % SCALE).padStart(4, '0')}`;
}

/**
 * Appends a transaction to its grant's history; past a cap (per grant, or per
 * developer in entries or metadata bytes) the oldest transactions are forgotten.
 */
export function keepTransaction(
  state: BudgetState,
  tx: TransactionRecord,
  caps: { perGrant: number; entries: number; metadataBytes: number } = {
    perGrant: MAX_TRANSACTIONS_PER_GRANT,
    ...MAX_TRANSACTIONS_PER_DEVELOPER,
  },
): void {
  const list = state.transactions.get(tx.grantId) ?? [];
  list.push(tx);
  state.transactions.set(tx.grantId, list);
  const bytes = Buffer.byteLength(JSON.stringify(tx.metadata));
  state.kept.set(tx.id, { grantId: tx.grantId, bytes });
  state.keptBytes += bytes;
  if (list.length > caps.perGrant) forget(state, list[0]!.id);
  for (const oldest of state.kept.keys()) {
    const over = state.kept.size > caps.entries || state.keptBytes > caps.metadataBytes;
    if (!over) break;
    forget(state, oldest);
  }
}

/** Drops a transaction that is the oldest of its grant (kept order is age order, per grant too). */
function forget(state: BudgetState, id: string): void {
  const kept = state.kept.get(id);
  if (kept === undefined) return;
  state.kept.delete(id);
  state.keptBytes -= kept.bytes;
  const list = state.transactions.get(kept.grantId);
  if (list?.[0]?.id === id) list.shift();
}
