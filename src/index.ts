export type { KrosPromise, WithResponse } from './api-promise.js';
export type { ApiKey, AuthHeader } from './auth.js';
export { createKrosClient, type KrosClient, type KrosClientOptions } from './client.js';
export {
  KrosApiError,
  KrosAuthenticationError,
  KrosBadRequestError,
  KrosConflictError,
  KrosConnectionError,
  KrosError,
  KrosInternalServerError,
  KrosInvalidResponseError,
  KrosNotFoundError,
  KrosPermissionDeniedError,
  KrosRateLimitError,
  KrosSignatureError,
  KrosTimeoutError,
  KrosUnprocessableEntityError,
  KrosValidationError,
} from './errors.js';
export type { RawClient } from './raw-client.js';
export type { Logger } from './transport.js';
export type { HeadersInput } from './validate.js';
export {
  type RawBody,
  type SignatureFailureReason,
  type SignatureSource,
  signWebhookPayload,
  type VerifyOptions,
  verifyWebhook,
  verifyWebhookRequest,
  type WebhookDelivery,
} from './webhook-signatures.js';
export {
  isWebhookEvent,
  type RequestOptions,
  WEBHOOK_EVENTS,
  type Webhook,
  type WebhookCreate,
  type WebhookEvent,
  type Webhooks,
  type WebhookTestResult,
  type WebhookUpdate,
} from './webhooks.js';
