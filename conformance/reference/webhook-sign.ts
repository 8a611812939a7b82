/**
 * @module webhook-sign
 * The two signature headers of a webhook delivery, computed with the
 * package's own signing helper (src/webhook-signature.ts).
 */

/** `X-Grantex-Signature` (body only) and `X-Grantex-Signature-V2` (`<timestamp>.<body>`). */
export interface DeliverySignatures {
  legacy: string;
  v2: string;
}

/** Signs one delivery attempt. */
export async function signDelivery(_secret: string, _timestamp: string, _payload: string): Promise<DeliverySignatures> {
  throw new Error('PENDING: src/webhook-signature.ts has not landed yet');
}
