/**
 * Where receivers record which deliveries they handled, shared by every instance that receives: the
 * same delivery reaches several processes (KrosAI retries, and each retry may land anywhere).
 */

/** What {@link DeliveryStore.claim} found: run the handlers, skip a finished delivery, or ask for a retry. */
export type ClaimResult = 'claimed' | 'done' | 'busy';

/**
 * Exactly-once handling across instances. A claim is a lease: a handler whose process dies is run
 * again once the lease expires; a handler that succeeded is never run again while its id is kept.
 * `checkDeliveryStore` from `@krosai/cockpit/testing` checks an implementation against these rules.
 *
 * @example
 * ```ts
 * const handler = createWebhookHandler({ secret, store: postgresStore({ query: (text, values) => pool.query(text, values) }) });
 * ```
 */
export interface DeliveryStore {
  /**
   * Takes the delivery for `leaseMs`, atomically across every instance: `'claimed'` when the caller
   * now holds it (new, released, or its lease expired), `'done'` when it was completed and is still
   * kept, `'busy'` while another caller's lease runs.
   */
  claim(id: string, leaseMs: number): Promise<ClaimResult>;
  /** Records the delivery as handled, to be kept `keepMs`: until then every claim answers `'done'`. */
  complete(id: string, keepMs: number): Promise<void>;
  /** Gives up the caller's lease after a failure, so that the next retry runs the handlers again; a completed id stays completed. */
  release(id: string): Promise<void>;
}
