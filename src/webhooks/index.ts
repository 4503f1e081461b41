/** The `@krosai/cockpit/webhooks` entry: verification, and the receiving framework around it, without the HTTP client. */
export {
  KrosAbortError,
  KrosError,
  KrosSignatureError,
  KrosTimeoutError,
  KrosValidationError,
  type SignatureFailureReason,
} from '../core/errors.js';
export type { RawBody, SignatureSource, VerifyOptions, WebhookDelivery } from '../verify/verify.js';
export { signWebhookPayload, verifyWebhook, verifyWebhookRequest } from '../verify/verify.js';
export type { KrosDelivery, KrosEventData, KrosEventHandlers, KrosEventMap, KrosEventName } from './events.js';
export {
  createWebhookHandler,
  type HandlerContext,
  type HandlerResponse,
  type NodeRequest,
  type NodeResponse,
  type RawDelivery,
  type WebhookHandler,
  type WebhookHandlerOptions,
} from './handler.js';
export { memoryStore } from './stores/memory.js';
export { type PostgresStore, type PostgresStoreOptions, postgresStore } from './stores/postgres.js';
export { type RedisClient, type RedisStoreOptions, redisStore } from './stores/redis.js';
export type { ClaimResult, DeliveryStore } from './stores/store.js';
