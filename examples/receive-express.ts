import { KrosSignatureError, KrosValidationError, verifyWebhook } from '@krosai/cockpit/webhooks';
import express, { type Request, type Response } from 'express';

const secret = process.env.KROSAI_WEBHOOK_SECRET;
if (!secret) throw new Error('set KROSAI_WEBHOOK_SECRET');

export const receiveWebhook = async (request: Request, response: Response) => {
  try {
    const delivery = await verifyWebhook(request.body, request.headers, secret);
    console.log(`${delivery.event} ${delivery.id}`);
    response.sendStatus(204);
  } catch (error) {
    // Anything unverifiable gets a 400. A KrosValidationError means this route got no raw body: its
    // message says why (a global express.json() mounted before it, most often).
    if (error instanceof KrosSignatureError) response.status(400).send(error.reason);
    else if (error instanceof KrosValidationError) response.status(400).send(error.message);
    else throw error;
  }
};

export const app = express();

// The webhook route first: a delivery without a signature is refused before its body is read, then
// express.raw gives the bytes that were signed (up to 1 MiB, answering 413 past it). Then the JSON
// parser for the rest.
const signed = (request: Request, response: Response, next: () => void) =>
  request.headers['x-webhook-signature'] ? next() : response.status(400).send('missing_signature');
app.post('/webhooks/krosai', signed, express.raw({ type: 'application/json', limit: '1mb' }), receiveWebhook);
app.use(express.json());
