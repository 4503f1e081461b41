/**
 * HMAC-SHA256 on Web Crypto: browsers, Cloudflare Workers, Vercel Edge, Node 20+. No `Buffer`, no
 * `node:` import. The Node build uses ./hmac-node.ts in its place. Digests travel as hex.
 */
import { KrosError } from '../errors.js';
import { encoder, type Payload } from './bytes.js';

/**
 * Imported keys per secret, least recently used first. Bounded, since a multi-tenant receiver may see
 * many secrets; a new secret evicts only the key unused for longest, so busy secrets stay imported.
 */
const keys = new Map<string, Promise<CryptoKey>>();

export async function hmacSign(secret: string, body: Payload): Promise<string> {
  // Read where it is used, not at import: Node 18 has no global `crypto`, and must get a clear error.
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    throw new KrosError("Web Crypto (globalThis.crypto) is missing: on Node 18, use the package's `node` build");
  }
  const key = keys.get(secret) ?? subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  keys.delete(secret);
  keys.set(secret, key);
  if (keys.size > 100) keys.delete(keys.keys().next().value as string);
  const digest = new Uint8Array(await subtle.sign('HMAC', await key, typeof body === 'string' ? encoder.encode(body) : body));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
