import { createWebhookHandler, memoryStore } from '@krosai/cockpit/webhooks';
import { webhookPlugin } from '@krosai/cockpit/webhooks/fastify';
import Fastify from 'fastify';

const handler = createWebhookHandler({
  secret: process.env.KROSAI_WEBHOOK_SECRET,
  store: memoryStore(),
  on: { 'call.completed': async (delivery) => console.log(`${delivery.event} ${delivery.id}`) },
});

export const app = Fastify();
// The plugin gives its route the raw body; the app's other routes keep Fastify's JSON parser.
app.register(webhookPlugin, { handler, path: '/webhooks/krosai' });
