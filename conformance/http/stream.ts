/**
 * @module http/stream
 * Reading an answer that may never end (an event stream): bounded in time and
 * bytes, stopped early once enough has arrived.
 */

/** Milliseconds between asking for a stream and running its `whileOpen`. */
export const STREAM_OPEN_DELAY_MS = 750;

/** Bounds of {@link Http.stream}. */
export interface StreamLimits {
  maxMs: number;
  maxBytes: number;
  /** True when what arrived so far is enough to stop reading. */
  enough(text: string): boolean;
  /** Runs shortly after the request is sent (not after the headers, which may wait for an event). */
  whileOpen?: () => Promise<void>;
}

/** Reads `response` until `limits` stop it (or it ends); the time limit ends the read without an error. */
export async function readBounded(
  response: Response,
  limits: StreamLimits,
  timeout: AbortSignal,
  opened: Promise<void> | undefined,
): Promise<string> {
  if (response.body === null) return '';
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  const reader = response.body.getReader();
  const stop = () => void reader.cancel().catch(() => undefined);
  timeout.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      text += decoder.decode(value, { stream: true });
      if (bytes >= limits.maxBytes || limits.enough(text)) break;
    }
  } catch {
    // The time limit (or the server) cut the stream: what arrived is the answer.
  } finally {
    timeout.removeEventListener('abort', stop);
    stop();
    await opened?.catch(() => undefined);
  }
  return text;
}
