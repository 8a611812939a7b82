/**
 * @module internal/sse
 * An incremental parser of the `text/event-stream` format (WHATWG HTML §9.2.6):
 * bytes in, fields out, with a bound on each line and on each event's data,
 * so a hostile or broken server cannot make the reader buffer without end.
 */

/** One dispatched event: its `id:` (the last one seen, as the standard says), `event:` type and joined `data:`. */
export interface SseMessage {
  kind: 'event';
  lastEventId: string | undefined;
  event: string;
  data: string;
}

/** A `retry:` field: the reconnection time the server asks for. */
export interface SseRetry {
  kind: 'retry';
  ms: number;
}

/** A comment line (keep-alive). */
export interface SseComment {
  kind: 'comment';
}

export type SseItem = SseMessage | SseRetry | SseComment;

/** Why the parser refused the stream. */
export type SseLimit = 'line' | 'event';

/** Thrown when a line or an event's data passes its bound. */
export class SseLimitError extends Error {
  override name = 'SseLimitError';
  readonly limit: SseLimit;
  constructor(limit: SseLimit, bytes: number) {
    super(limit === 'line' ? `a line exceeds ${bytes} bytes` : `an event's data exceeds ${bytes} bytes`);
    this.limit = limit;
  }
}

const LF = 0x0a;
const CR = 0x0d;

/** Parses chunks as they come; `push` returns what each chunk completed. */
export class SseParser {
  readonly #maxLine: number;
  readonly #maxEvent: number;
  readonly #decoder = new TextDecoder('utf-8');
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #afterCR = false;
  #firstLine = true;
  #data: string[] = [];
  #dataBytes = 0;
  #event = '';
  #lastEventId: string | undefined;

  constructor(maxLineBytes: number, maxEventBytes: number, lastEventId?: string) {
    this.#maxLine = maxLineBytes;
    this.#maxEvent = maxEventBytes;
    this.#lastEventId = lastEventId;
  }

  /** Feeds bytes; returns the items that they completed. */
  push(chunk: Uint8Array): SseItem[] {
    const out: SseItem[] = [];
    let start = 0;
    // Line ends are found with the native indexOf; CR is rare, so its next position is kept between lines.
    let nextCR = chunk.indexOf(CR);
    let nextLF = chunk.indexOf(LF);
    while (nextCR >= 0 || nextLF >= 0) {
      const i = nextCR < 0 ? nextLF : nextLF < 0 ? nextCR : Math.min(nextCR, nextLF);
      const byte = chunk[i];
      // CRLF counts as one line ending: the LF right after a CR ends nothing.
      if (byte === LF && this.#afterCR && i === start) {
        this.#afterCR = false;
      } else if (this.#pendingBytes === 0) {
        // The whole line is in this chunk: decode it in place.
        if (i - start > this.#maxLine) throw new SseLimitError('line', this.#maxLine);
        this.#line(this.#firstLineText(this.#decoder.decode(chunk.subarray(start, i))), out);
        this.#afterCR = byte === CR;
      } else {
        this.#append(chunk.subarray(start, i));
        this.#line(this.#take(), out);
        this.#afterCR = byte === CR;
      }
      start = i + 1;
      if (byte === CR) nextCR = chunk.indexOf(CR, start);
      else nextLF = chunk.indexOf(LF, start);
    }
    if (start < chunk.length) {
      this.#afterCR = false;
      this.#append(chunk.subarray(start));
    }
    return out;
  }

  #append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#pendingBytes += bytes.length;
    if (this.#pendingBytes > this.#maxLine) throw new SseLimitError('line', this.#maxLine);
    this.#pending.push(bytes.slice());
  }

  #take(): string {
    const parts = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    let text = '';
    for (const part of parts) text += this.#decoder.decode(part, { stream: true });
    text += this.#decoder.decode();
    return this.#firstLineText(text);
  }

  /** Drops the byte order mark that may open the stream. */
  #firstLineText(text: string): string {
    if (!this.#firstLine) return text;
    this.#firstLine = false;
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  #line(line: string, out: SseItem[]): void {
    if (line === '') {
      this.#dispatch(out);
      return;
    }
    if (line.startsWith(':')) {
      out.push({ kind: 'comment' });
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.#dataBytes += value.length + 1;
        if (this.#dataBytes > this.#maxEvent) throw new SseLimitError('event', this.#maxEvent);
        this.#data.push(value);
        break;
      case 'event':
        this.#event = value;
        break;
      case 'id':
        if (!value.includes('\u0000')) this.#lastEventId = value;
        break;
      case 'retry':
        if (/^[0-9]+$/.test(value)) out.push({ kind: 'retry', ms: Number(value) });
        break;
      default:
      // Other fields are ignored, as the standard says.
    }
  }

  #dispatch(out: SseItem[]): void {
    const data = this.#data;
    const event = this.#event;
    this.#data = [];
    this.#dataBytes = 0;
    this.#event = '';
    if (data.length === 0) return;
    out.push({
      kind: 'event',
      lastEventId: this.#lastEventId,
      event: event === '' ? 'message' : event,
      data: data.join('\n'),
    });
  }
}
