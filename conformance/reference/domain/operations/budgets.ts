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
}

const states = new WeakMap<Tenant, BudgetState>();

export function budgetsOf(tenant: Tenant): BudgetState {
  let state = states.get(tenant);
  if (state === undefined) {
    state = { allocations: new Map(), transactions: new Map() };
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
