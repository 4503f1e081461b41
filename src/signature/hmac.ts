/**
 * HMAC-SHA256 on Web Crypto: browsers, Cloudflare Workers, Deno, Bun, Node 20+. No `Buffer`, no
 * `node:` import. The Node build uses ./hmac-node.ts in its place. Digests travel as hex.
 */
import { type Bytes, encoder } from './bytes.js';

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

export async function hmacSign(secret: string, body: Bytes): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.sign('HMAC', await keyFor(secret), body));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** `signature` is 64 hex digits; subtle.verify compares in constant time. */
export async function hmacVerify(secret: string, body: Bytes, signature: string): Promise<boolean> {
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = parseInt(signature.slice(i * 2, i * 2 + 2), 16);
  return crypto.subtle.verify('HMAC', await keyFor(secret), bytes, body);
}
