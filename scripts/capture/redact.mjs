// @module scripts/capture/redact
// What a capture keeps of an exchange: the headers worth recording, and every secret it saw replaced by a placeholder.

const secrets = new Map();
export const secret = (value, label) => {
  if (typeof value === 'string' && value.length > 0) secrets.set(value, `<${label}>`);
  return value;
};
export function redact(value) {
  if (typeof value === 'string') {
    let out = value;
    for (const [s, label] of secrets) out = out.split(s).join(label);
    return out;
  }
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v)]));
  return value;
}
export const KEPT = [
  'content-type',
  'cache-control',
  'retry-after',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'location',
];
