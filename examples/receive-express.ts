import { createWebhookHandler, memoryStore } from '@krosai/cockpit/webhooks';
import express from 'express';

const handler = createWebhookHandler({
  secret: process.env.KROSAI_WEBHOOK_SECRET,
  store: memoryStore(),
  on: { 'call.completed': async (delivery) => console.log(`${delivery.event} ${delivery.id}`) },
});

export const app = express();
// Before express.json(), the handler reads the raw body itself. Mounted after it, the handler needs
// the bytes kept: express.json({ verify: (req, _res, buf) => { req.rawBody = buf } }).
app.post('/webhooks/krosai', handler.node);
app.use(express.json());
