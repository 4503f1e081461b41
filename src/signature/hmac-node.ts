/**
 * HMAC-SHA256 on node:crypto, several times faster than Web Crypto in Node for this job. The
 * package's `node` export condition selects the build that uses this module instead of ./hmac.ts.
 */
import type { Payload } from './bytes.js';

// node:crypto takes about 7 ms to load (bench/RESULTS.md): only processes that verify pay it, once.
let loading: Promise<typeof import('node:crypto')> | undefined;
const nodeCrypto = () => (loading ??= import('node:crypto'));

/** A string is hashed as its UTF-8 bytes, without first being copied into a buffer. */
export async function hmacSign(secret: string, body: Payload): Promise<string> {
  const { createHmac } = await nodeCrypto();
  return createHmac('sha256', secret).update(body).digest('hex');
}
