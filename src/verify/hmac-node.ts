/** HMAC-SHA256 on node:crypto, several times faster than Web Crypto in Node; the `node` build uses it. */
import type { Payload } from './hmac.js';

// Loaded on first use: a process that imports the package but never verifies does not pay for it.
let loading: Promise<typeof import('node:crypto')> | undefined;

export async function hmacSign(secret: string, body: Payload): Promise<string> {
  loading ??= import('node:crypto');
  const { createHmac } = await loading;
  return createHmac('sha256', secret).update(body).digest('hex');
}
