// The spec describes the real public server: every response captured from a
// local build of it (test/fixtures/operations, made by scripts/capture/operations.mjs)
// validates against the bundled spec, and every operation of the operations
// groups that the server answers locally has at least one captured response.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ContractValidator, recordedResponse } from '../../conformance/http/contract.js';

interface Captured {
  name: string;
  request: { method: string; path: string };
  response: { status: number; headers: Record<string, string>; body?: unknown; text?: string };
}

const dir = new URL('../fixtures/operations/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'setup.json');
const exchanges = files.flatMap((file) => {
  const { exchanges } = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as { exchanges: Captured[] };
  return exchanges.map((e) => ({ ...e, group: file.replace(/\.json$/, '') }));
});
const validator = ContractValidator.bundled();

// Operations whose success needs a service outside the machine, or a route the SDK does not call.
const NOT_CAPTURED = new Set([
  'eventsWebSocket', // needs a WebSocket client; the SDK reads events over SSE
  'ssoRevokeSession', // a session exists only after a real IdP login (404 captured)
]);

describe('captured responses of the public server', () => {
  it('are many and cover every group', () => {
    expect(exchanges.length).toBeGreaterThan(120);
    expect(new Set(exchanges.map((e) => e.group)).size).toBe(10);
  });

  it.each(exchanges.map((e) => [`${e.group}/${e.name}`, e] as const))('%s validates', (_label, e) => {
    const op = validator.match(e.request.method, e.request.path);
    expect(op, `${e.request.method} ${e.request.path} is in the spec`).toBeDefined();
    const headers = new Headers(e.response.headers);
    const text = e.response.text ?? (e.response.body === undefined ? '' : JSON.stringify(e.response.body));
    // The captured stream is cut at an arbitrary point: its media type is what is checked.
    if (op!.operationId === 'eventsStream' && e.response.status === 200) {
      expect(headers.get('content-type')).toMatch(/^text\/event-stream/);
      return;
    }
    expect(validator.validateResponse(op!.operationId, recordedResponse(e.response.status, headers, text))).toEqual([]);
  });

  it('cover every new operation with a response, success where no outside service is needed', () => {
    const seen = new Map<string, Set<number>>();
    for (const e of exchanges) {
      const op = validator.match(e.request.method, e.request.path)!;
      if (!seen.has(op.operationId)) seen.set(op.operationId, new Set());
      seen.get(op.operationId)!.add(e.response.status);
    }
    const groups = ['Budgets', 'Usage', 'Event stream', 'Vault', 'DPDP', 'MCP registry'];
    const wanted = validator.operations.filter(
      (op) =>
        groups.includes(op.tags[0]!) ||
        /^\/v1\/(anomaly|policies\/(sync|bundles)|sso\/(connections|enforce|sessions))|^\/sso\/callback\/|^\/v1\/billing\/webhook/.test(
          op.template,
        ),
    );
    expect(wanted.length).toBe(56);
    for (const op of wanted) {
      if (NOT_CAPTURED.has(op.operationId)) continue;
      expect(seen.has(op.operationId), `${op.operationId} captured`).toBe(true);
    }
  });
});
