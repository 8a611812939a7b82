/**
 * @module wait
 * `--wait-for-server S`: polls the base URL's `GET /health` until it answers
 * 2xx or S seconds pass, for a server a CI job has just started. Each poll is
 * bounded (2 s, body not read), one per second at most.
 */

/** Longest single poll. */
const POLL_TIMEOUT_MS = 2_000;
/** Pause between polls. */
const INTERVAL_MS = 1_000;
/** A line about the wait at most this often. */
const REPORT_EVERY_MS = 10_000;

export async function waitForServer(
  baseUrl: string,
  timeoutMs: number,
  say: (line: string) => void,
  now: () => number = Date.now,
): Promise<{ ok: true } | { ok: false; message: string }> {
  const started = now();
  const url = `${baseUrl.replace(/\/+$/, '')}/health`;
  let last = 'no answer yet';
  let reported = started;
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(POLL_TIMEOUT_MS), redirect: 'manual' });
      await response.body?.cancel();
      if (response.status >= 200 && response.status < 300) {
        if (now() - started >= INTERVAL_MS)
          say(`GET /health answered ${response.status} after ${Math.round((now() - started) / 1000)} s`);
        return { ok: true };
      }
      last = `GET /health answered ${response.status}`;
    } catch (error) {
      last = `GET /health: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`;
    }
    const elapsed = now() - started;
    if (elapsed + INTERVAL_MS > timeoutMs)
      return {
        ok: false,
        message: `the server did not get ready within ${Math.round(timeoutMs / 1000)} s (--wait-for-server): ${last}`,
      };
    if (now() - reported >= REPORT_EVERY_MS) {
      say(`waiting for the server (${Math.round(elapsed / 1000)} s): ${last}`);
      reported = now();
    }
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
  }
}
