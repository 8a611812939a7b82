/**
 * @module checks/events
 * The live event stream, read within bounds (time, bytes): its framing follows
 * the server-sent events format of the WHATWG HTML standard (§9.2), each event
 * carries the spec's StreamEvent, and events have ids a client can resume from.
 * The events come from a grant the run issues, so the recorder sends this only
 * as a developer the run created (POST /v1/token is in the side-effect table).
 */
import { SseParser, type SseMessage } from '../../src/internal/sse.js';
import { expectThat, show, type Check } from '../engine/check.js';
import type { CheckContext } from '../engine/context.js';

const READ_MS = 8_000;
const READ_BYTES = 256 * 1024;

interface Read {
  status: number;
  contentType: string;
  events: SseMessage[];
  parseError?: string;
}

/** Opens the stream as devA, issues a grant while it is open, and reads until two events or the bounds. */
async function readWhileIssuing(ctx: CheckContext): Promise<Read> {
  const { session } = ctx;
  const dev = session.devA;
  const agent = await session.agent(dev);
  const events: SseMessage[] = [];
  let parseError: string | undefined;
  const parser = new SseParser(64 * 1024, 128 * 1024);
  let consumed = 0;
  let issueError: unknown;
  const exchange = await session.http.stream(
    { method: 'GET', path: '/v1/events/stream', auth: dev.key, headers: { accept: 'text/event-stream' } },
    {
      maxMs: READ_MS,
      maxBytes: READ_BYTES,
      enough: (text: string) => {
        try {
          events.push(...parser.push(new TextEncoder().encode(text.slice(consumed))).filter((i) => i.kind === 'event'));
        } catch (error) {
          parseError = error instanceof Error ? error.message : String(error);
          return true;
        }
        consumed = text.length;
        return events.length >= 2;
      },
      whileOpen: async () => {
        try {
          await session.issue(dev, { agent, scopes: ['calendar:read'] });
        } catch (error) {
          issueError = error;
        }
      },
    },
  );
  // What stopped the issuance (a side effect refused under a key the run did not create, a refused
  // request) is the check's outcome, not an empty stream.
  if (issueError !== undefined) throw issueError;
  return {
    status: exchange.status,
    contentType: exchange.responseHeaders['content-type'] ?? '',
    events,
    ...(parseError !== undefined ? { parseError } : {}),
  };
}

function isStreamEvent(data: string): boolean {
  try {
    const e = JSON.parse(data) as Record<string, unknown>;
    return (
      typeof e['id'] === 'string' &&
      typeof e['type'] === 'string' &&
      typeof e['createdAt'] === 'string' &&
      typeof e['data'] === 'object' &&
      e['data'] !== null
    );
  } catch {
    return false;
  }
}

export const eventChecks: Check[] = [
  {
    id: 'events.stream',
    area: 'events',
    clause:
      'WHATWG HTML §9.2.5: "This event stream format\'s MIME type is text/event-stream"; OpenAPI GET /v1/events/stream: each event\'s data is a StreamEvent; SPEC.md has no event stream, hence SHOULD',
    level: 'SHOULD',
    title:
      'the event stream is text/event-stream and the events of a grant issued while it is open arrive as StreamEvents',
    extension: 'events',
    async run(ctx) {
      const read = await readWhileIssuing(ctx);
      expectThat(read.status === 200, 'the stream was not opened', '200', String(read.status));
      expectThat(
        /^text\/event-stream\s*(;|$)/i.test(read.contentType),
        'the stream is not served as text/event-stream',
        'text/event-stream',
        read.contentType,
      );
      expectThat(
        read.parseError === undefined,
        'the stream broke the framing bounds',
        'lines within 64 KiB',
        read.parseError ?? '',
      );
      expectThat(
        read.events.length > 0,
        'no event arrived for the grant issued while the stream was open',
        'grant.created / token.issued events',
        `${read.events.length} events in ${READ_MS / 1000} s`,
      );
      const bad = read.events.filter((e) => !isStreamEvent(e.data));
      expectThat(
        bad.length === 0,
        'an event is not a StreamEvent',
        '{id, type, createdAt, data}',
        show(bad[0]?.data ?? '', 200),
      );
    },
  },
  {
    id: 'events.resumable',
    area: 'events',
    clause:
      'WHATWG HTML §9.2.6: the id field sets the last event ID, which a reconnecting client sends as Last-Event-ID; OpenAPI GET /v1/events/stream: a server SHOULD give each event an id',
    level: 'SHOULD',
    title: 'every event of the stream has an id: field, so a client can resume after a dropped connection',
    extension: 'events',
    async run(ctx) {
      const read = await readWhileIssuing(ctx);
      expectThat(
        read.status === 200 && read.events.length > 0,
        'no event arrived to look at',
        'events',
        `${read.events.length}`,
      );
      const withoutId = read.events.filter((e) => e.lastEventId === undefined || e.lastEventId === '');
      expectThat(
        withoutId.length === 0,
        'events carry no id: field, so a reconnecting client cannot resume (events sent meanwhile are lost)',
        'id: on every event',
        `${withoutId.length} of ${read.events.length} without`,
      );
    },
  },
];
