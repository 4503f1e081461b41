/**
 * `kros.webhooks`: the six webhook operations of the spec, with their bodies checked before sending.
 */
import type { CallOperation, KrosPromise, RequestOptions } from '../core/call.js';
import { assertBoolean, assertEvents, assertHttpUrl, assertObject, jsonSnapshot } from '../core/validate.js';
import { type components, type operations, webhookEventValues } from '../generated/api.js';

/** A webhook subscription as the API returns it; `secret` signs its deliveries. The spec marks no field required. */
export type Webhook = components['schemas']['Webhook'];
/** The body of `webhooks.create`; `active` defaults to `true`, and `events` may be a readonly list. */
export type WebhookCreate = WithReadonlyEvents<components['schemas']['WebhookCreate']>;
/** The body of `webhooks.update`: any subset of `url`, `events` and `active`. */
export type WebhookUpdate = WithReadonlyEvents<NonNullable<operations['updateWebhook']['requestBody']>['content']['application/json']>;

/** The SDK never changes the list it is given, so a readonly one is as good. */
type WithReadonlyEvents<T extends { events?: unknown }> = Omit<T, 'events'> &
  ('events' extends keyof T
    ? undefined extends T['events']
      ? { events?: readonly WebhookEvent[] }
      : { events: readonly WebhookEvent[] }
    : never);
/** One of the event names the spec defines, such as `"call.completed"`. */
export type WebhookEvent = components['schemas']['WebhookEvent'];
/** What `webhooks.test` reports about the test delivery. */
export type WebhookTestResult = components['schemas']['WebhookTestResult'];

/** Every event name the spec defines, generated from it. */
export const WEBHOOK_EVENTS: readonly WebhookEvent[] = webhookEventValues;

/**
 * Whether `value` is an event name the spec defines: narrows a `string` from configuration.
 *
 * @example
 * ```ts
 * const events = process.env.KROSAI_EVENTS!.split(',').filter(isWebhookEvent);
 * ```
 */
export function isWebhookEvent(value: unknown): value is WebhookEvent {
  return (webhookEventValues as readonly unknown[]).includes(value);
}

/**
 * The webhook operations. Each returns a {@link KrosPromise} of its data and rejects with a `KrosError`.
 *
 * @example
 * ```ts
 * const webhook = await kros.webhooks.create({ url: 'https://example.com/hooks', events: ['call.completed'] });
 * const { success, status_code } = await kros.webhooks.test(webhook.id!);
 * ```
 */
export interface Webhooks {
  /** Lists the organization's webhooks. */
  list(options?: RequestOptions): KrosPromise<Webhook[]>;
  /** Creates a webhook; the response carries the generated signing `secret`. */
  create(body: WebhookCreate, options?: RequestOptions): KrosPromise<Webhook>;
  /** Fetches one webhook by id (a UUID). */
  get(id: string, options?: RequestOptions): KrosPromise<Webhook>;
  /** Changes any of `url`, `events` and `active`; fields left out stay as they are. */
  update(id: string, patch: WebhookUpdate, options?: RequestOptions): KrosPromise<Webhook>;
  /**
   * Deletes a webhook. When an attempt that may have deleted it (a timeout, a lost connection, a
   * 5xx) is followed by a 404, the call resolves, with an `info` line.
   */
  delete(id: string, options?: RequestOptions): KrosPromise<void>;
  /** Asks the API to send a test delivery to the webhook's URL and reports the outcome. */
  test(id: string, options?: RequestOptions): KrosPromise<WebhookTestResult>;
}

/** The six operations, one line each: the method, path and success body come from the spec by operationId. */
export function createWebhooks(call: CallOperation): Webhooks {
  return {
    list: (options) => call('listWebhooks', options),
    create: (body, options) => call('createWebhook', options, () => ({ body: webhookBody(body, 'body', true) })),
    get: (id, options) => call('getWebhook', options, () => ({ id })),
    update: (id, patch, options) => call('updateWebhook', options, () => ({ id, body: webhookBody(patch, 'patch', false) })),
    delete: (id, options) => call('deleteWebhook', options, () => ({ id })),
    test: (id, options) => call('testWebhook', options, () => ({ id })),
  };
}

/**
 * A create body (all required fields) or an update patch (any subset), as the JSON that will be
 * sent: a fresh copy, so a later change to the caller's object cannot reach the request.
 */
function webhookBody(given: Partial<WebhookCreate>, what: string, complete: boolean): Partial<WebhookCreate> {
  assertObject(given, what);
  const body = jsonSnapshot(given, what);
  if (complete || body.url !== undefined) assertHttpUrl(body.url, `${what}.url`);
  if (complete || body.events !== undefined) assertEvents(body.events, `${what}.events`);
  if (body.active !== undefined) assertBoolean(body.active, `${what}.active`);
  return body;
}
