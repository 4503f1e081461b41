/**
 * HMAC-SHA256 on Web Crypto: browsers, Cloudflare Workers, Deno, Bun, Node 20+. No `Buffer`, no
 * `node:` import. The Node build uses ./hmac-node.ts in its place.
 */
import type { Bytes } from './verify.js';

/** Imported keys per secret; bounded (cleared when full), since a multi-tenant receiver may see many secrets. */
const keys = new Map<string, Promise<CryptoKey>>();

function keyFor(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    keys.set(secret, key);
    if (keys.size > 100) keys.clear();
  }
  return key;
}

export async function hmacSign(secret: string, body: Bytes): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign('HMAC', await keyFor(secret), body));
}

/** subtle.verify compares in constant time. */
export async function hmacVerify(secret: string, body: Bytes, signature: Bytes): Promise<boolean> {
  return crypto.subtle.verify('HMAC', await keyFor(secret), signature, body);
}
