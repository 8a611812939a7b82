/**
 * @module resources/budgets
 * Extension. Spending budgets attached to grants. A debit is a single-use
 * call: never retried (the public server ignores `Idempotency-Key`, so a
 * repeated debit would be charged twice).
 */
import type { components } from '../../generated/schema.js';
import { type ListOptions, type ListPromise, maxPagesOf } from '../core/pagination.js';
import type { ApiPromise } from '../core/response.js';
import type { QueryParams, RequestBody, RequestOptions, ResponseBody } from '../types.js';
import { Resource } from './resource.js';

type TransactionPage = ResponseBody<'budgetsTransactions'>;
type Transaction = components['schemas']['BudgetTransaction'];

/** Options of a debit: no retries and no idempotency key, since the server does not de-duplicate. */
export type DebitOptions = Omit<RequestOptions, 'maxRetries'>;

/** `client.budgets`: budgets, debits and their history. */
export class Budgets extends Resource {
  /** Attaches a budget to an active grant. `POST /v1/budget/allocate` */
  allocate(
    body: RequestBody<'budgetsAllocate'>,
    options?: RequestOptions,
  ): ApiPromise<ResponseBody<'budgetsAllocate'>> {
    return this.send(this.api.POST('/v1/budget/allocate', { ...this.init(options), body }));
  }

  /**
   * Takes `amount` off the grant's budget; 402 (`INSUFFICIENT_BUDGET`) when it
   * does not cover it. Sent exactly once, whatever the client's `maxRetries`:
   * after a network error the outcome is unknown, so check
   * {@link transactions} before debiting again. `POST /v1/budget/debit`
   */
  debit(body: RequestBody<'budgetsDebit'>, options?: DebitOptions): ApiPromise<ResponseBody<'budgetsDebit'>> {
    return this.send(this.api.POST('/v1/budget/debit', { ...this.init({ ...options, maxRetries: 0 }), body }));
  }

  /** The grant's allocation and remaining budget. `GET /v1/budget/balance/{grantId}` */
  balance(grantId: string, options?: RequestOptions): ApiPromise<ResponseBody<'budgetsBalance'>> {
    return this.send(
      this.api.GET('/v1/budget/balance/{grantId}', { ...this.init(options), params: { path: { grantId } } }),
    );
  }

  /**
   * One page of the grant's debits, newest first; iterate it for every page
   * (`page`, `pageSize` up to 200), up to `options.maxPages`.
   * `GET /v1/budget/transactions/{grantId}`
   */
  transactions(
    grantId: string,
    query?: QueryParams<'budgetsTransactions'>,
    options?: ListOptions,
  ): ListPromise<TransactionPage, Transaction> {
    const maxPages = maxPagesOf(options);
    const pageSize = query?.pageSize ?? 50;
    const pageOf = new WeakMap<TransactionPage, number>();
    const fetchPage = (page: number) =>
      this.api.GET('/v1/budget/transactions/{grantId}', {
        ...this.init(options),
        params: { path: { grantId }, query: { ...query, page, pageSize } },
      });
    const first = query?.page ?? 1;
    return this.sendList(fetchPage(first), {
      items: (body) => body.transactions,
      counters: ['total'],
      maxPages,
      next: (body) => {
        const page = pageOf.get(body) ?? first;
        if (body.transactions.length === 0 || page * pageSize >= body.total) return undefined;
        return async () => {
          const result = await this.settle<TransactionPage>(fetchPage(page + 1));
          pageOf.set(result.data, page + 1);
          return result;
        };
      },
    });
  }

  /** Every allocation of the developer (not paged). `GET /v1/budget/allocations` */
  allocations(options?: RequestOptions): ApiPromise<ResponseBody<'budgetsAllocations'>> {
    return this.send(this.api.GET('/v1/budget/allocations', { ...this.init(options) }));
  }
}
