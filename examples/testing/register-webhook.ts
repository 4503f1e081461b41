import type { KrosClient, Webhook, WebhookEvent } from '@krosai/cockpit';

// Run on every deploy: KrosAI should deliver `events` to `url`, through one webhook, not one per deploy.
export async function registerWebhook(kros: KrosClient, url: string, events: WebhookEvent[]): Promise<Webhook> {
  const existing = (await kros.webhooks.list()).find((webhook) => webhook.url === url);
  if (!existing?.id) return kros.webhooks.create({ url, events });
  return kros.webhooks.update(existing.id, { events, active: true });
}
