/** The `@krosai/cockpit/webhooks` entry: webhook verification without the HTTP client. */
export { KrosError, KrosSignatureError, KrosTimeoutError, KrosValidationError, type SignatureFailureReason } from '../core/errors.js';
export type { RawBody, SignatureSource, VerifyOptions, WebhookDelivery } from './verify.js';
export { signWebhookPayload, verifyWebhook, verifyWebhookRequest } from './verify.js';
