import { createServer } from 'node:http';
import { KrosSignatureError, verifyWebhook } from '@krosai/cockpit/webhooks';

const secret = process.env.KROSAI_WEBHOOK_SECRET; // the `secret` the API returned when the webhook was created
if (!secret) throw new Error('set KROSAI_WEBHOOK_SECRET');

export const receiver = createServer(async (request, response) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk); // the raw bytes, exactly as sent
  try {
    const delivery = await verifyWebhook(Buffer.concat(chunks), request.headers, secret);
    console.log(`${delivery.event} ${delivery.id}`);
    response.writeHead(204).end();
  } catch (error) {
    const refused = error instanceof KrosSignatureError;
    response.writeHead(refused ? 400 : 500).end(refused ? error.reason : 'internal error');
  }
});
