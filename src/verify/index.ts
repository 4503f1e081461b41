/**
 * The `@krosai/cockpit/webhooks` entry: webhook verification without the HTTP client. Under the
 * `node` export condition the package serves the build whose HMAC runs on node:crypto.
 */
export { KrosError, KrosSignatureError, KrosValidationError, type SignatureFailureReason } from '../core/errors.js';
export type { RawBody, SignatureSource, VerifyOptions, WebhookDelivery } from './verify.js';
export { signWebhookPayload, verifyWebhook, verifyWebhookRequest } from './verify.js';
