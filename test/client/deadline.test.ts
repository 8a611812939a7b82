// Shared deadline slots: attempts never time out early, a finished attempt is
// never aborted, and a running one is aborted with a GrantexTimeoutError.
import { describe, expect, it } from 'vitest';
import { Deadlines } from '../../src/internal/deadline.js';
import { GrantexAbortError, GrantexTimeoutError } from '../../src/index.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('deadline slots', () => {
  it('attempts started together with one timeout share a signal; a running one is aborted, no sooner than its timeout', async () => {
    const deadlines = new Deadlines();
    const started = performance.now();
    const a = deadlines.acquire(50);
    const b = deadlines.acquire(50);
    expect(a.signal).toBe(b.signal);
    b.release();
    const aborted = await new Promise<number>((resolve) =>
      a.signal.addEventListener('abort', () => resolve(performance.now())),
    );
    expect(aborted - started).toBeGreaterThanOrEqual(49);
    expect(a.signal.reason).toBeInstanceOf(GrantexTimeoutError);
    expect((a.signal.reason as Error).message).toBe('No response within 50 ms');
    a.release();
  });

  it('a slot whose attempts all finished is not aborted when its time comes', async () => {
    const deadlines = new Deadlines();
    const lease = deadlines.acquire(20);
    lease.release();
    await sleep(60);
    expect(lease.signal.aborted).toBe(false);
  });

  it('different timeouts never share a slot', () => {
    const deadlines = new Deadlines();
    const a = deadlines.acquire(1000);
    const b = deadlines.acquire(2000);
    expect(a.signal).not.toBe(b.signal);
    a.release();
    b.release();
    deadlines.abortAll(new GrantexAbortError('closed'));
  });

  it('abortAll aborts running attempts with the given reason', () => {
    const deadlines = new Deadlines();
    const lease = deadlines.acquire(60_000);
    deadlines.abortAll(new GrantexAbortError('closed'));
    expect(lease.signal.reason).toBeInstanceOf(GrantexAbortError);
    lease.release();
  });
});
