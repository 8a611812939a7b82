// A small, independent reader of server-sent events for the tests (WHATWG HTML
// §9.2.6 field parsing, LF line endings): not the SDK's parser, so the tests
// do not check the SDK against itself.

export interface RawEvent {
  id?: string;
  data: string;
}

export interface SseRead {
  status: number;
  contentType: string;
  events: RawEvent[];
  comments: string[];
  retry?: number;
}

/**
 * Opens `path` as an event stream and reads until `count` events arrived or
 * `timeoutMs` passed, calling `whileOpen` once the response headers are in.
 */
export async function readSse(
  url: string,
  key: string,
  options: { count: number; timeoutMs?: number; lastEventId?: string; whileOpen?: () => Promise<void> },
): Promise<SseRead> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), options.timeoutMs ?? 3_000);
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
  const out: SseRead = { status: 0, contentType: '', events: [], comments: [] };
  try {
    const response = await fetch(`${url}/v1/events/stream`, { headers, signal: abort.signal });
    out.status = response.status;
    out.contentType = response.headers.get('content-type') ?? '';
    if (response.status !== 200 || response.body === null) return out;
    const reading = (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      let event: RawEvent = { data: '' };
      let hasData = false;
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          newline = buffer.indexOf('\n');
          if (line === '') {
            if (hasData) out.events.push(event);
            event = { data: '' };
            hasData = false;
            if (out.events.length >= options.count) return;
          } else if (line.startsWith(':')) out.comments.push(line.slice(1).trim());
          else {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'data') {
              event.data = hasData ? `${event.data}\n${value}` : value;
              hasData = true;
            } else if (field === 'id') event.id = value;
            else if (field === 'retry' && /^\d+$/.test(value)) out.retry = Number(value);
          }
        }
      }
    })();
    await options.whileOpen?.();
    await reading.catch(() => undefined);
  } catch {
    // Aborted by the timeout: what arrived is the answer.
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return out;
}
