import { createServer } from 'node:http';
import { createWebhookHandler, memoryStore } from '@krosai/cockpit/webhooks';

const handler = createWebhookHandler({
  secret: process.env.KROSAI_WEBHOOK_SECRET,
  store: memoryStore(),
  on: { 'call.completed': async (delivery) => console.log(`${delivery.event} ${delivery.id}`) },
});

// Checks the signature header before reading the body, reads at most 1 MiB within 10 s.
export const receiver = createServer(handler.node);
