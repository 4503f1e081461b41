/**
 * The `@krosai/cockpit/webhooks` entry: webhook verification without the HTTP client. The package
 * build swaps the Web Crypto module for the node:crypto one under the `node` export condition.
 */
export { KrosError, KrosSignatureError, KrosValidationError, type SignatureFailureReason } from './errors.js';
export type { RawBody, SignatureSource, VerifyOptions, WebhookDelivery } from './signature/verify.js';
export { signWebhookPayload, verifyWebhook, verifyWebhookRequest } from './signature/web.js';
