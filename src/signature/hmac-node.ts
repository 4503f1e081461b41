/**
 * HMAC-SHA256 on node:crypto, several times faster than Web Crypto in Node for this job. The
 * package's `node` export condition selects the build that uses this module instead of ./hmac.ts.
 */
import type { Payload } from './bytes.js';

// node:crypto takes about 7 ms to load (bench/RESULTS.md): only processes that verify pay it, once.
let createHmac: typeof import('node:crypto').createHmac | undefined;
let loading: Promise<void> | undefined;
const loadCrypto = () => {
  loading ??= import('node:crypto').then((crypto) => {
    createHmac = crypto.createHmac;
  });
  return loading;
};

/**
 * The hex HMAC-SHA256 of `body`; a string is hashed as its UTF-8 bytes, without first being copied
 * into a buffer. Reads `body` before it returns, as the Web Crypto module does: once node:crypto is
 * loaded the hash is taken at once, and before that the bytes are copied. So the caller may reuse
 * its buffer at once.
 */
export async function hmacSign(secret: string, body: Payload): Promise<string> {
  if (!createHmac) {
    if (typeof body !== 'string') body = body.slice();
    await loadCrypto();
  }
  return (createHmac as NonNullable<typeof createHmac>)('sha256', secret).update(body).digest('hex');
}
