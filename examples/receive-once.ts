import type { WebhookDelivery } from '@krosai/cockpit/webhooks';

// KrosAI retries a failed delivery after 1 min, 5 min, 30 min and 2 h, so one event can arrive
// several times: handle each `id` once. This in-memory map suits a single process; with several,
// use a unique key on the id in your database, or Redis `SET id 1 NX EX 10800`.
const RETRY_WINDOW_MS = 3 * 60 * 60 * 1000;
const handledAt = new Map<string, number>();

export async function handleOnce(delivery: WebhookDelivery, handle: (delivery: WebhookDelivery) => Promise<void>) {
  const now = Date.now();
  for (const [id, at] of handledAt) {
    if (now - at < RETRY_WINDOW_MS) break; // oldest first: the rest are newer
    handledAt.delete(id);
  }
  if (handledAt.has(delivery.id)) return 'duplicate';
  handledAt.set(delivery.id, now);
  try {
    await handle(delivery);
  } catch (error) {
    handledAt.delete(delivery.id); // not handled: let the API's retry try again
    throw error;
  }
  return 'handled';
}
