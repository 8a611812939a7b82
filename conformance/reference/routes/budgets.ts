/**
 * @module routes/budgets
 * Budgets attached to active grants; debits are atomic (check and subtract in
 * one step) and each one is recorded, whatever `Idempotency-Key` says.
 */
import type { components } from '../../../generated/schema.js';
import type { Handlers } from '../context.js';
import {
  type AllocationRecord,
  budgetsOf,
  keepTransaction,
  money,
  SCALE,
  toUnits,
} from '../domain/operations/budgets.js';
import { eventsOf } from '../domain/operations/event-stream.js';
import { newId } from '../domain/ids.js';
import { roomFor } from '../domain/operations/state.js';
import { grantStatus, iso } from '../domain/rules.js';
import { badRequest, HttpError, notFound } from '../http/http-error.js';

type Schemas = components['schemas'];

function present(a: AllocationRecord): Schemas['BudgetAllocation'] {
  return {
    id: a.id,
    grantId: a.grantId,
    developerId: a.developerId,
    initialBudget: money(a.initial),
    remainingBudget: money(a.remaining),
    currency: a.currency,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}

const inactive = () => new HttpError(409, 'GRANT_INACTIVE', 'Grant is not active (revoked or expired)');

export const budgetHandlers = {
  budgetsAllocations: ({ tenant }) => {
    const list = [...budgetsOf(tenant).allocations.values()].reverse().map(present);
    return { status: 200, body: { allocations: list } };
  },

  budgetsAllocate: ({ env, tenant, body }) => {
    const initial = toUnits(body.initialBudget);
    if (initial === undefined) throw badRequest('grantId and positive initialBudget are required');
    const nowMs = env.now();
    const grant = tenant.grants.get(body.grantId);
    if (grant === undefined) throw notFound('Grant not found');
    if (grantStatus(grant, nowMs) !== 'active') throw inactive();
    const state = budgetsOf(tenant);
    if (state.allocations.has(grant.id))
      throw new HttpError(409, 'CONFLICT', 'Budget allocation already exists for this grant');
    if (!roomFor(state.allocations.size)) throw new HttpError(409, 'LIMIT_REACHED', 'Too many budget allocations');
    const allocation: AllocationRecord = {
      id: newId('bdg', nowMs),
      grantId: grant.id,
      developerId: tenant.developer.id,
      initial,
      remaining: initial,
      currency: body.currency ?? 'USD',
      createdAt: iso(nowMs),
      updatedAt: iso(nowMs),
    };
    state.allocations.set(grant.id, allocation);
    return { status: 201, body: present(allocation) };
  },

  budgetsDebit: ({ env, tenant, body }) => {
    const amount = toUnits(body.amount);
    if (amount === undefined) throw badRequest('grantId and positive amount are required');
    const nowMs = env.now();
    const state = budgetsOf(tenant);
    const allocation = state.allocations.get(body.grantId);
    const grant = tenant.grants.get(body.grantId);
    if (allocation === undefined || grant === undefined) throw notFound(`Grant ${body.grantId} not found`);
    if (grantStatus(grant, nowMs) !== 'active') throw inactive();
    if (allocation.remaining < amount)
      throw new HttpError(402, 'INSUFFICIENT_BUDGET', `Insufficient budget for grant ${grant.id}`);
    allocation.remaining -= amount;
    allocation.updatedAt = iso(nowMs);
    const id = newId('btx', nowMs);
    keepTransaction(state, {
      id,
      grantId: grant.id,
      allocationId: allocation.id,
      amount,
      description: body.description ?? null,
      metadata: structuredClone(body.metadata ?? {}),
      createdAt: iso(nowMs),
    });
    eventsOf(tenant).publish('budget.debited', { grantId: grant.id, transactionId: id, amount: money(amount) }, nowMs);
    return { status: 200, body: { remaining: money(allocation.remaining), transactionId: id, grantId: grant.id } };
  },

  budgetsBalance: ({ env, tenant, params }) => {
    const allocation = budgetsOf(tenant).allocations.get(params.grantId);
    if (allocation === undefined) throw notFound('No budget allocation found for this grant');
    const body = present(allocation);
    if (env.faults.has('budget-balance-number')) Object.assign(body, { remainingBudget: allocation.remaining / SCALE });
    return { status: 200, body };
  },

  budgetsTransactions: ({ tenant, params, query }) => {
    const all = budgetsOf(tenant).transactions.get(params.grantId) ?? [];
    const page = query.page ?? 1;
    const size = query.pageSize ?? 50;
    const newestFirst = [...all].reverse();
    const slice = newestFirst.slice((page - 1) * size, page * size);
    return {
      status: 200,
      body: {
        transactions: slice.map((t) => ({
          id: t.id,
          grantId: t.grantId,
          allocationId: t.allocationId,
          amount: money(t.amount),
          description: t.description,
          metadata: structuredClone(t.metadata),
          createdAt: t.createdAt,
        })),
        total: all.length,
      },
    };
  },
} satisfies Partial<Handlers>;
