/**
 * @module deadline
 * Per-attempt timeouts without an `AbortController` and a timer per attempt:
 * attempts with the same timeout whose deadlines fall in the same 10 ms slot
 * share one signal and one timer. The slot ends at or after every member's own
 * deadline, so an attempt is never cut short; it may run up to 10 ms longer.
 * When the slot's timer fires, the attempts still running are aborted; those
 * that finished are not affected. Creating a signal costs about as much as the
 * rest of the client's per-call work on Node 20, hence the sharing.
 */
import { GrantexTimeoutError } from '../core/errors.js';

const SLOT_MS = 10;

interface Slot {
  readonly controller: AbortController;
  readonly signal: AbortSignal;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Attempts of this slot still running. */
  active: number;
}

/** A lease on a slot: its signal, and `release()` to call when the attempt ends. */
export interface DeadlineLease {
  readonly signal: AbortSignal;
  release(): void;
}

/** The deadline slots of one transport. */
export class Deadlines {
  readonly #slots = new Map<string, Slot>();

  /** A signal that aborts with a `GrantexTimeoutError` no sooner than `timeoutMs` from now. */
  acquire(timeoutMs: number): DeadlineLease {
    const end = Math.ceil((performance.now() + timeoutMs) / SLOT_MS) * SLOT_MS;
    const key = `${timeoutMs}@${end}`;
    let slot = this.#slots.get(key);
    if (slot === undefined) {
      const controller = new AbortController();
      const created: Slot = { controller, signal: controller.signal, timer: undefined, active: 0 };
      created.timer = setTimeout(
        () => {
          this.#slots.delete(key);
          if (created.active > 0) controller.abort(new GrantexTimeoutError(`No response within ${timeoutMs} ms`));
        },
        Math.min(Math.max(0, end - performance.now()), 2 ** 31 - 1),
      );
      this.#slots.set(key, created);
      slot = created;
    }
    const leased = slot;
    // A slot keeps the process alive only while one of its attempts runs.
    if (leased.active++ === 0) ref(leased.timer, true);
    return {
      signal: leased.signal,
      release: () => {
        if (--leased.active === 0) ref(leased.timer, false);
      },
    };
  }

  /** Aborts every slot (the client was closed). */
  abortAll(reason: unknown): void {
    for (const slot of this.#slots.values()) {
      clearTimeout(slot.timer);
      slot.controller.abort(reason);
    }
    this.#slots.clear();
  }
}

/** `timer.ref()`/`unref()` where timers have them (Node, Bun); browsers' timers never keep a page alive. */
function ref(timer: ReturnType<typeof setTimeout> | undefined, on: boolean): void {
  const handle = timer as { ref?: () => void; unref?: () => void } | undefined;
  if (on) handle?.ref?.();
  else handle?.unref?.();
}
