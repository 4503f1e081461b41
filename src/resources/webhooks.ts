/**
 * `kros.webhooks`: the six webhook operations of the spec, with their bodies checked before sending.
 */
import type { CallOperation, KrosPromise, RequestOptions } from '../core/call.js';
import { assertBoolean, assertEvents, assertHttpUrl, assertObject, jsonSnapshot } from '../core/validate.js';
import { type components, type operations, webhookEventValues } from '../generated/api.js';

/**
 * A webhook subscription as the API returns it. `secret` signs its deliveries. Every field is
 * optional because the spec marks none as required.
 *
 * @example
 * ```ts
 * const webhook: Webhook = await kros.webhooks.get(id);
 * console.log(webhook.url, webhook.events, webhook.active);
 * ```
 */
export type Webhook = components['schemas']['Webhook'];
/**
 * The body of `webhooks.create`: `active` may be omitted (the API defaults it to `true`). `events`
 * may be a readonly list, such as `WEBHOOK_EVENTS` or an `as const` array.
 *
 * @example
 * ```ts
 * const body: WebhookCreate = { url: 'https://example.com/hooks', events: ['call.completed'] };
 * ```
 */
export type WebhookCreate = WithReadonlyEvents<components['schemas']['WebhookCreate']>;
/**
 * The body of `webhooks.update`: any subset of `url`, `events` and `active`.
 *
 * @example
 * ```ts
 * const patch: WebhookUpdate = { active: false };
 * ```
 */
export type WebhookUpdate = WithReadonlyEvents<NonNullable<operations['updateWebhook']['requestBody']>['content']['application/json']>;

/** The SDK never changes the list it is given, so a readonly one is as good. */
type WithReadonlyEvents<T extends { events?: unknown }> = Omit<T, 'events'> &
  ('events' extends keyof T
    ? undefined extends T['events']
      ? { events?: readonly WebhookEvent[] }
      : { events: readonly WebhookEvent[] }
    : never);
/**
 * One of the event names the spec defines, such as `"call.completed"`.
 *
 * @example
 * ```ts
 * const events: WebhookEvent[] = ['call.completed', 'call.failed'];
 * ```
 */
export type WebhookEvent = components['schemas']['WebhookEvent'];
/**
 * What `webhooks.test` reports about the test delivery.
 *
 * @example
 * ```ts
 * const result: WebhookTestResult = await kros.webhooks.test(id);
 * if (!result.success) console.warn(`the endpoint answered ${result.status_code}: ${result.message}`);
 * ```
 */
export type WebhookTestResult = components['schemas']['WebhookTestResult'];

/**
 * Every event name the spec defines, generated from it: a spec bump that adds an event adds it here.
 *
 * @example
 * ```ts
 * await kros.webhooks.create({ url: 'https://example.com/hooks', events: [...WEBHOOK_EVENTS] });
 * ```
 */
export const WEBHOOK_EVENTS: readonly WebhookEvent[] = webhookEventValues;

/**
 * Whether `value` is one of the event names the spec defines: narrows a `string` from
 * configuration to a {@link WebhookEvent}.
 *
 * @example
 * ```ts
 * const events = process.env.KROSAI_EVENTS!.split(',').filter(isWebhookEvent);
 * await kros.webhooks.create({ url: 'https://example.com/hooks', events });
 * ```
 */
export function isWebhookEvent(value: unknown): value is WebhookEvent {
  return (webhookEventValues as readonly unknown[]).includes(value);
}

/**
 * The webhook operations. Every method returns a {@link KrosPromise} of its data (with
 * `.withResponse()` for the response and request id) and rejects with a `KrosError` subclass on failure.
 *
 * @example
 * ```ts
 * const webhooks: Webhooks = kros.webhooks;
 * await webhooks.update(id, { events: ['call.completed'] });
 * ```
 */
export interface Webhooks {
  /**
   * Lists the organization's webhooks.
   *
   * @example
   * ```ts
   * const webhooks = await kros.webhooks.list();
   * ```
   */
  list(options?: RequestOptions): KrosPromise<Webhook[]>;
  /**
   * Creates a webhook; the response carries the generated signing `secret`.
   *
   * @example
   * ```ts
   * const webhook = await kros.webhooks.create({ url: 'https://example.com/hooks', events: ['call.completed'] });
   * ```
   */
  create(body: WebhookCreate, options?: RequestOptions): KrosPromise<Webhook>;
  /**
   * Fetches one webhook by id.
   *
   * @example
   * ```ts
   * const webhook = await kros.webhooks.get('497f6eca-6276-4993-bfeb-53cbbbba6f08');
   * ```
   */
  get(id: string, options?: RequestOptions): KrosPromise<Webhook>;
  /**
   * Changes any of `url`, `events` and `active`; fields left out stay as they are.
   *
   * @example
   * ```ts
   * await kros.webhooks.update(id, { active: false });
   * ```
   */
  update(id: string, patch: WebhookUpdate, options?: RequestOptions): KrosPromise<Webhook>;
  /**
   * Deletes a webhook. When an earlier attempt timed out or lost its connection and the retry
   * finds the webhook gone (404), that attempt deleted it: the call resolves, with an `info` line.
   *
   * @example
   * ```ts
   * await kros.webhooks.delete(id);
   * ```
   */
  delete(id: string, options?: RequestOptions): KrosPromise<void>;
  /**
   * Asks the API to send a test delivery to the webhook's URL and reports the outcome.
   *
   * @example
   * ```ts
   * const { success, status_code } = await kros.webhooks.test(id);
   * ```
   */
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
