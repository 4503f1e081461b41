/**
 * Webhook verification on node:crypto, which is several times faster than Web Crypto in Node for
 * this job. Chosen by the `node` export condition of the package.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createVerifier, type Hmac } from './verify.js';

const nodeHmac: Hmac = {
  async sign(secret, body) {
    return createHmac('sha256', secret).update(body).digest();
  },
  async verify(secret, body, signature) {
    const expected = createHmac('sha256', secret).update(body).digest();
    return expected.length === signature.length && timingSafeEqual(expected, signature);
  },
};

export const { verifyWebhook, verifyWebhookRequest, signWebhookPayload } = createVerifier(nodeHmac);
