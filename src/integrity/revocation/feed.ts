/**
 * @module revocation/feed
 * Feeds a {@link RevocationStore} from Grantex webhook deliveries: each one is
 * authenticated with `verifyWebhook` before anything is recorded.
 */
import { type VerifyWebhookOptions, type WebhookEvent, verifyWebhook } from '../webhook-signature.js';
import type { RevocationStore } from './store.js';

/** Options of {@link createRevocationFeed}. */
export interface RevocationFeedOptions {
  /** The store the verifier reads. */
  store: RevocationStore;
  /** The webhook endpoint's secret, or several during rotation. */
  secret?: string;
  secrets?: readonly string[];
  /** Webhook timestamp tolerance in seconds. Default `300`. */
  toleranceSeconds?: number;
  /** The clock, in ms since the epoch. Default `Date.now`. */
  clock?: () => number;
}

/** Takes webhook deliveries; see {@link createRevocationFeed}. */
export interface RevocationFeed {
  /**
   * Authenticates one delivery and records what it says. Resolves to the
   * event (so the caller can answer 2xx); rejects with `GrantexWebhookError`
   * (answer 4xx) when the delivery is not authentic, stale or not an event.
   */
  deliver(payload: string | Uint8Array, headers: VerifyWebhookOptions['headers']): Promise<WebhookEvent>;
}

/**
 * Webhook-fed revocation state. `grant.revoked` records the grant (the server
 * sends one event for the root of a cascade, SPEC §9.2, so `grant.created`
 * events of delegated grants are recorded as links and a lookup walks up the
 * chain); `token.issued` needs nothing. Every authentic delivery also marks
 * the state as synced at the time it arrived: the source was alive then.
 *
 * SPEC §7 and our spec define no `token.revoked` event; a token revoked with
 * `POST /v1/tokens/revoke` reaches the store through `store.revokeToken` (or
 * the online check), not through this feed.
 */
export function createRevocationFeed(options: RevocationFeedOptions): RevocationFeed {
  const clock = options.clock ?? Date.now;
  const { store } = options;
  return {
    async deliver(payload, headers) {
      const now = clock();
      const event = await verifyWebhook({
        payload,
        headers,
        ...(options.secret !== undefined ? { secret: options.secret } : {}),
        ...(options.secrets !== undefined ? { secrets: options.secrets } : {}),
        ...(options.toleranceSeconds !== undefined ? { toleranceSeconds: options.toleranceSeconds } : {}),
        now: new Date(now),
      });
      if (event.type === 'grant.revoked') await store.revokeGrant(event.data.grantId, now);
      else if (event.type === 'grant.created' && typeof event.data.parentGrantId === 'string')
        await store.linkGrant(event.data.grantId, event.data.parentGrantId, now);
      await store.markSynced(now);
      return event;
    },
  };
}
