/**
 * Webhook verification on Web Crypto: browsers, Cloudflare Workers, Deno, Bun, Node 20+. No
 * `Buffer`, no `node:` import.
 */
import { createVerifier, encoder, type Hmac } from './verify.js';

/** Imported keys per secret; bounded (cleared when full), since a multi-tenant receiver may see many secrets. */
const keys = new Map<string, Promise<CryptoKey>>();

function keyFor(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    keys.set(secret, key);
    if (keys.size > 100) keys.clear();
  }
  return key;
}

const webCryptoHmac: Hmac = {
  async sign(secret, body) {
    return new Uint8Array(await crypto.subtle.sign('HMAC', await keyFor(secret), body));
  },
  async verify(secret, body, signature) {
    // subtle.verify compares in constant time.
    return crypto.subtle.verify('HMAC', await keyFor(secret), signature, body);
  },
};

const verifier = createVerifier(webCryptoHmac);

/**
 * Verifies a delivery's signature and timestamp and returns its parsed, typed body. Rejects with
 * `KrosSignatureError` when the delivery must not be trusted. Pass the raw body as received.
 *
 * @example
 * ```ts
 * const delivery = await verifyWebhook(rawBody, request.headers, process.env.KROSAI_WEBHOOK_SECRET!);
 * if (delivery.event === 'call.completed') console.log(delivery.data);
 * ```
 */
export const verifyWebhook = verifier.verifyWebhook;

/**
 * Verifies a Fetch API `Request` (Next.js route handlers, Cloudflare Workers, Hono, Deno, Bun)
 * and returns the delivery. Reads the request body.
 *
 * @example
 * ```ts
 * export async function POST(request: Request) {
 *   const delivery = await verifyWebhookRequest(request, process.env.KROSAI_WEBHOOK_SECRET!);
 *   return new Response(null, { status: 204 });
 * }
 * ```
 */
export const verifyWebhookRequest = verifier.verifyWebhookRequest;

/**
 * The `X-Webhook-Signature` value KrosAI would send for this body: `sha256=<hex>`. For your own
 * tests of a webhook receiver.
 *
 * @example
 * ```ts
 * const signature = await signWebhookPayload(body, secret);
 * await fetch(receiverUrl, { method: 'POST', headers: { 'x-webhook-signature': signature }, body });
 * ```
 */
export const signWebhookPayload = verifier.signWebhookPayload;
