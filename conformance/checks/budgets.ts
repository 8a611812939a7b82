/**
 * @module checks/budgets
 * Budgets: an allocation on a grant the run issued, a debit, the balance and
 * the history, and a debit the budget does not cover. Their answers are
 * judged by the contract checks (their schemas) and here by the spec's
 * arithmetic: a 402 debits nothing. The debit is single-use and is sent once;
 * the recorder sends it only as a developer the run created.
 */
import { expectThat, show, type Check } from '../engine/check.js';
import { expectStatus } from '../engine/session/expect.js';

export const budgetChecks: Check[] = [
  {
    id: 'budgets.debit',
    area: 'budgets',
    clause:
      'OpenAPI POST /v1/budget/debit: a debit the remaining budget does not cover is 402 and nothing is debited; BudgetAllocation: amounts are decimal strings; SPEC.md has no budgets, hence SHOULD',
    level: 'SHOULD',
    title: 'allocate 10, debit 4 (remaining 6), debit 100 (402), and the balance still reads 6',
    extension: 'budgets',
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const agent = await session.agent(dev);
      const { grantId } = await session.issue(dev, { agent, scopes: ['calendar:read'] });
      const allocate = await session.request(dev, {
        method: 'POST',
        path: '/v1/budget/allocate',
        json: { grantId, initialBudget: 10, currency: 'USD' },
      });
      expectStatus(allocate, 201, 'POST /v1/budget/allocate');
      const debit = await session.request(dev, {
        method: 'POST',
        path: '/v1/budget/debit',
        json: { grantId, amount: 4 },
      });
      expectStatus(debit, 200, 'POST /v1/budget/debit');
      const over = await session.request(dev, {
        method: 'POST',
        path: '/v1/budget/debit',
        json: { grantId, amount: 100 },
      });
      expectStatus(over, 402, 'POST /v1/budget/debit beyond the budget');
      const balance = await session.request(dev, { method: 'GET', path: `/v1/budget/balance/${grantId}` });
      expectStatus(balance, 200, 'GET /v1/budget/balance/{grantId}');
      const remaining = (balance.body as { remainingBudget?: unknown }).remainingBudget;
      expectThat(
        typeof remaining === 'string' && Number(remaining) === 6,
        'the balance is not the decimal string of 10 − 4 after a refused debit',
        '"6" in any decimal form ("6.0000")',
        show(balance.body, 200),
      );
      const history = await session.request(dev, { method: 'GET', path: `/v1/budget/transactions/${grantId}` });
      expectStatus(history, 200, 'GET /v1/budget/transactions/{grantId}');
      const total = (history.body as { total?: unknown }).total;
      expectThat(total === 1, 'the refused debit was recorded as a transaction', '1', show(history.body, 200));
    },
  },
];
