/**
 * HMAC-SHA256 on Web Crypto: browsers, Cloudflare Workers, Vercel Edge, Node 20+. No `Buffer`, no
 * `node:` import. The Node build uses ./hmac-node.ts in its place. Digests travel as hex.
 */
import { KrosError } from '../errors.js';
import { type Bytes, DEFAULT_MAX_BODY_BYTES, encoder, type Payload } from './bytes.js';

/**
 * Imported keys per secret, least recently used first; a key replaces its import's promise once
 * ready, so a warm call signs without waiting a turn. Bounded, since a multi-tenant receiver may see
 * many secrets; a new secret evicts only the key unused for longest, so busy secrets stay imported.
 */
const keys = new Map<string, CryptoKey | Promise<CryptoKey>>();

/** Two hex digits per byte value: building the digest from these is cheaper than formatting each byte. */
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

export async function hmacSign(secret: string, body: Payload): Promise<string> {
  // Read where it is used, not at import: Node 18 has no global `crypto`, and must get a clear error.
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    throw new KrosError("Web Crypto (globalThis.crypto) is missing: on Node 18, use the package's `node` build");
  }
  let key = keys.get(secret);
  if (!key) {
    const importing = subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    importing.then(
      (imported) => keys.get(secret) === importing && keys.set(secret, imported),
      () => keys.get(secret) === importing && keys.delete(secret),
    );
    key = importing;
  }
  keys.delete(secret);
  keys.set(secret, key);
  if (keys.size > 100) keys.delete(keys.keys().next().value as string);
  // Not `instanceof Promise`: the import's promise may come from another realm (the Edge runtime's VM).
  if ('then' in key) key = await key;
  const digest = new Uint8Array(await subtle.sign('HMAC', key, typeof body === 'string' ? utf8(body) : body));
  let hex = '';
  for (const byte of digest) hex += HEX[byte];
  return hex;
}

/**
 * A string's UTF-8 bytes, written into a buffer kept for the next call: `sign()` copies its input
 * before it returns (Web Crypto spec, sign step 2), so the next call cannot overwrite them, and in
 * Chromium a fresh buffer per call cost more than the hash (bench/RESULTS-runtimes.md). Kept up to
 * 1 MiB, the default `maxBodyBytes`; longer strings get their own.
 */
function utf8(text: string): Bytes {
  if (text.length <= scratch.length) {
    const { read, written } = encoder.encodeInto(text, scratch);
    if (read === text.length) return scratch.subarray(0, written);
  }
  // Up to 3 bytes per UTF-16 unit.
  if (text.length * 3 > DEFAULT_MAX_BODY_BYTES) return encoder.encode(text);
  scratch = new Uint8Array(text.length * 3);
  return scratch.subarray(0, encoder.encodeInto(text, scratch).written);
}

let scratch: Bytes = new Uint8Array(0);
