import { createServer, type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { KrosSignatureError, KrosTimeoutError, verifyWebhookRequest } from '@krosai/cockpit/webhooks';

const secret = process.env.KROSAI_WEBHOOK_SECRET; // the `secret` the API returned when the webhook was created
if (!secret) throw new Error('set KROSAI_WEBHOOK_SECRET');

// The verifier checks the signature header before it reads the body, reads at most 1 MiB of it and
// gives a slow client 10 s: so it gets the body as a stream, not read beforehand.
const asFetchRequest = (request: IncomingMessage) =>
  new Request(`http://localhost${request.url}`, {
    method: request.method,
    headers: request.headers as Record<string, string>,
    body: Readable.toWeb(request) as ReadableStream,
    duplex: 'half',
  } as RequestInit);

export const receiver = createServer(async (request, response) => {
  try {
    const delivery = await verifyWebhookRequest(asFetchRequest(request), secret);
    console.log(`${delivery.event} ${delivery.id}`);
    response.writeHead(204).end();
  } catch (error) {
    if (error instanceof KrosSignatureError) {
      response.writeHead(error.reason === 'payload_too_large' ? 413 : 400, { connection: 'close' }).end(error.reason);
    } else if (error instanceof KrosTimeoutError) {
      response.writeHead(408, { connection: 'close' }).end();
    } else {
      // A client that went away mid-body lands here too: nothing to answer.
      response.writeHead(500, { connection: 'close' }).end();
    }
  }
});
