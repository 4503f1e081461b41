/**
 * HMAC-SHA256 on node:crypto, several times faster than Web Crypto in Node for this job. The
 * package's `node` export condition selects the build that uses this module instead of ./hmac.ts.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Bytes } from './verify.js';

export async function hmacSign(secret: string, body: Bytes): Promise<Uint8Array> {
  return createHmac('sha256', secret).update(body).digest();
}

export async function hmacVerify(secret: string, body: Bytes, signature: Bytes): Promise<boolean> {
  const expected = createHmac('sha256', secret).update(body).digest();
  return expected.length === signature.length && timingSafeEqual(expected, signature);
}
