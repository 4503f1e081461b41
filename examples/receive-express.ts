import { KrosSignatureError, verifyWebhook } from '@krosai/cockpit/webhooks';
import express from 'express';

const secret = process.env.KROSAI_WEBHOOK_SECRET;
if (!secret) throw new Error('set KROSAI_WEBHOOK_SECRET');

export const app = express();

// express.raw keeps the body as the Buffer that was signed; express.json() would re-serialise it.
app.post('/webhooks/krosai', express.raw({ type: 'application/json' }), async (request, response) => {
  try {
    const delivery = await verifyWebhook(request.body, request.headers, secret);
    console.log(`${delivery.event} ${delivery.id}`);
    response.sendStatus(204);
  } catch (error) {
    if (!(error instanceof KrosSignatureError)) throw error;
    response.status(400).send(error.reason);
  }
});
