import type { ClaimResult, DeliveryStore } from './store.js';

/**
 * A {@link DeliveryStore} in this process's memory: exactly once for one instance (a single server,
 * tests). Several instances need a shared store: `postgresStore` or `redisStore`.
 *
 * @example
 * ```ts
 * const handler = createWebhookHandler({ secret, store: memoryStore(), on: { 'call.completed': save } });
 * ```
 */
export function memoryStore(): DeliveryStore {
  const entries = new Map<string, { done: boolean; until: number }>();
  const set = (id: string, done: boolean, ms: number) => {
    // Re-inserted at the end, so that the oldest expiry tends to come first and is swept first.
    entries.delete(id);
    entries.set(id, { done, until: Date.now() + ms });
  };
  return {
    async claim(id: string, leaseMs: number): Promise<ClaimResult> {
      const now = Date.now();
      for (const [key, entry] of entries) {
        if (entry.until > now) break;
        entries.delete(key);
      }
      const entry = entries.get(id);
      if (entry && entry.until > now) return entry.done ? 'done' : 'busy';
      set(id, false, leaseMs);
      return 'claimed';
    },
    async complete(id: string, keepMs: number): Promise<void> {
      set(id, true, keepMs);
    },
    async release(id: string): Promise<void> {
      if (entries.get(id)?.done === false) entries.delete(id);
    },
  };
}
