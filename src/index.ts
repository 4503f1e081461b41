/**
 * The `@krosai/cockpit` entry: the client, its errors, and the verifier for those who import one entry.
 */

export type { ApiKey, AuthHeader } from './core/auth.js';
export type { KrosPromise, RequestOptions, WithResponse } from './core/call.js';
export { createKrosClient, type KrosClient, type KrosClientOptions } from './core/client.js';
export {
  KrosAbortError,
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
} from './core/errors.js';
export type {
  AttemptErrorEvent,
  AttemptEvent,
  KrosHooks,
  Logger,
  LogLevel,
  ResponseEvent,
  RetryEvent,
} from './core/observe.js';
export type { RawClient } from './core/raw-client.js';
export type { SpanLike, TracerProviderLike } from './core/trace.js';
export type { HeadersInput } from './core/validate.js';
export {
  isWebhookEvent,
  WEBHOOK_EVENTS,
  type Webhook,
  type WebhookCreate,
  type WebhookEvent,
  type Webhooks,
  type WebhookTestResult,
  type WebhookUpdate,
} from './resources/webhooks.js';
export {
  type RawBody,
  type SignatureFailureReason,
  type SignatureSource,
  signWebhookPayload,
  type VerifyOptions,
  verifyWebhook,
  verifyWebhookRequest,
  type WebhookDelivery,
} from './webhooks/index.js';
