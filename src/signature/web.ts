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

export const { verifyWebhook, verifyWebhookRequest, signWebhookPayload } = createVerifier(webCryptoHmac);
