/**
 * @module extra-fields
 * The `extra-fields` variant: successful JSON answers carry one member more,
 * at the top level and in each object of a top-level list, wherever the
 * response schema allows additional properties. The bundled spec decides:
 * an answer with the member added is kept only when it still validates.
 */
import { ContractValidator, recordedResponse } from '../http/contract.js';
import { EXTRA_FIELD } from './variants.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The candidates, most extra members first: top level and listed items, then top level only. */
function candidates(body: Json): Json[] {
  const top = { ...body, [EXTRA_FIELD]: 'extra-fields' };
  const deep: Json = { ...top };
  for (const [key, value] of Object.entries(body)) {
    if (Array.isArray(value) && value.every(isObject))
      deep[key] = value.map((item) => ({ ...item, [EXTRA_FIELD]: 'extra-fields' }));
  }
  return [deep, top];
}

/** `response` with the extra member where the spec allows it, else unchanged. */
export async function withExtraFields(request: Request, response: Response): Promise<Response> {
  const type = response.headers.get('content-type') ?? '';
  if (response.status >= 300 || !/json/i.test(type)) return response;
  const text = await response.text();
  const rebuilt = (body: string): Response => {
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    return new Response(body, { status: response.status, statusText: response.statusText, headers });
  };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return rebuilt(text);
  }
  const contract = ContractValidator.bundled();
  const operation = contract.match(request.method, new URL(request.url).pathname);
  if (!isObject(body) || operation === undefined) return rebuilt(text);
  for (const candidate of candidates(body)) {
    const serialized = JSON.stringify(candidate);
    const problems = contract.validateResponse(
      operation.operationId,
      recordedResponse(response.status, response.headers, serialized),
    );
    if (problems.length === 0) return rebuilt(serialized);
  }
  return rebuilt(text);
}
