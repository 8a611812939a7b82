/**
 * @module raw-json
 * A response body already serialized as JSON text: a handler that builds a
 * large answer piece by piece (yielding between pieces) returns it so the
 * renderer sends the text as is instead of stringifying one large object in
 * a single event-loop turn.
 */
export class RawJson {
  readonly text: string;

  constructor(text: string) {
    this.text = text;
  }
}
