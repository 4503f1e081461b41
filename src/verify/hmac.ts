/** HMAC-SHA256 on Web Crypto (browsers, workers, edge runtimes, Node 20+), as hex; the Node build uses ./hmac-node.ts. */
import { KrosError } from '../core/errors.js';

/** A body as the HMAC modules take it: bytes, or a string, which stands for its UTF-8 bytes. */
export type Payload = string | Uint8Array<ArrayBuffer>;

const encoder = new TextEncoder();

export async function hmacSign(secret: string, body: Payload): Promise<string> {
  // Read where it is used, not at import: Node 18 has no global `crypto`, and must get a clear error.
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    throw new KrosError("Web Crypto (globalThis.crypto) is missing: on Node 18, use the package's `node` build");
  }
  const key = await subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const digest = new Uint8Array(await subtle.sign('HMAC', key, typeof body === 'string' ? encoder.encode(body) : body));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
