/**
 * The `@krosai/cockpit/testing` entry: a stateful mock of the KrosAI webhooks API and signed test
 * deliveries, for the tests of services and receivers that use the SDK. Not part of the client or
 * verifier bundles.
 */
export { checkDeliveryStore, type DeliveryStoreCheck, type DeliveryStoreCheckOptions, type DeliveryStoreReport } from './check-store.js';
export {
  createSignedDelivery,
  DELIVERY_FORMATS,
  type DeliveryFormat,
  type SignedDelivery,
  type SignedDeliveryOptions,
} from './deliveries.js';
export {
  createMockKrosApi,
  type DeliveryOutcome,
  type FailureOptions,
  type MockKrosApi,
  type MockKrosApiOptions,
  type MockWebhook,
  type RecordedRequest,
  TEST_EVENT,
} from './mock-api.js';
export type { MockServer } from './serve.js';
