/**
 * `kros.webhooks`: the six webhook operations of the spec, with input checked before sending and
 * every failure turned into a typed error.
 */

import { type KrosPromise, krosPromise, type WithResponse } from './api-promise.js';
import { apiErrorFrom, KrosInvalidResponseError, KrosValidationError } from './errors.js';
import { type components, type operations, webhookEventValues } from './generated/api.js';
import { type RawClient, sendingWith } from './raw-client.js';
import type { Redact } from './redact.js';
import { MAX_RETRIES } from './retry.js';
import { asKrosError, type Call, type Logger, type Send } from './transport.js';
import {
  assertBoolean,
  assertEvents,
  assertHttpUrl,
  assertObject,
  assertTimeout,
  assertUuid,
  assertWholeNumber,
  type HeadersInput,
  headersFrom,
  jsonSnapshot,
  readOptions,
} from './validate.js';

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

type Mutable<T extends { events?: unknown }> = Omit<T, 'events'> & { events?: WebhookEvent[] };

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
 * Options for one call; they override the client's for this request only.
 *
 * @example
 * ```ts
 * await kros.webhooks.list({ organizationId, timeoutMs: 5_000, signal: controller.signal });
 * ```
 */
export interface RequestOptions {
  /**
   * The organization (UUID) to act in, sent as `x-organization-id`; overrides the client's.
   *
   * @example
   * ```ts
   * await kros.webhooks.list({ organizationId: '7c60d51f-b44e-4682-87d6-449835ea4de6' });
   * ```
   */
  organizationId?: string;
  /**
   * Extra headers for this request: a plain object, a `Headers`, or `[name, value]` pairs, checked
   * as the client's are. Auth and organization headers come from their own options.
   *
   * @example
   * ```ts
   * await kros.webhooks.list({ headers: { 'x-trace-id': 'abc123' } });
   * ```
   */
  headers?: HeadersInput;
  /**
   * Aborts the request; the call then rejects with the signal's reason.
   *
   * @example
   * ```ts
   * await kros.webhooks.list({ signal: AbortSignal.timeout(5_000) });
   * ```
   */
  signal?: AbortSignal;
  /**
   * Milliseconds each attempt may take, body included; overrides the client's `timeoutMs`.
   *
   * @example
   * ```ts
   * await kros.webhooks.get(id, { timeoutMs: 5_000 });
   * ```
   */
  timeoutMs?: number;
  /**
   * Retries after a retryable failure (0 to 10); overrides the client's `maxRetries`. `0` disables them.
   *
   * @example
   * ```ts
   * await kros.webhooks.list({ maxRetries: 0 });
   * ```
   */
  maxRetries?: number;
  /**
   * The most bytes the response body may have; overrides the client's `maxResponseBytes`.
   *
   * @example
   * ```ts
   * await kros.webhooks.list({ maxResponseBytes: 50 * 1024 * 1024 });
   * ```
   */
  maxResponseBytes?: number;
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

/** What a success response must hold: a JSON array, a JSON object, or nothing (a delete). */
type Expected = 'array' | 'object' | 'deleted';

interface RawResult {
  data?: string;
  error?: unknown;
  response: Response;
}

type Init = ReturnType<typeof callInit>['init'];

export function createWebhooks(raw: RawClient, send: Send, logger: Logger): Webhooks {
  /** Checks the options, makes the call, and resolves to its parsed body and response, or rejects with its typed error. */
  async function exchange<T>(expected: Expected, options: RequestOptions | undefined, call: (init: Init) => Promise<RawResult>) {
    const { init, settings } = callInit(send, options);
    // The transport sets settings.redact once it knows the credential this call sends.
    const redact: Redact = (text) => settings.redact?.(text) ?? text;
    const { data, error, response } = await call(init).catch((failure) => {
      throw asKrosError(failure, init.signal, redact);
    });
    const result = (value: unknown): WithResponse<T> => ({
      data: value as T,
      response,
      requestId: response.headers.get('x-request-id') ?? undefined,
    });
    if (!response.ok) {
      if (response.status === 404 && expected === 'deleted' && settings.mayHaveActed) {
        // A mock's in-process Response may have no url.
        const path = response.url ? new URL(response.url).pathname : '/webhooks/{id}';
        logger.info?.(`[@krosai/cockpit] DELETE ${path}: 404 after an attempt that may have deleted it; deleted`);
        return result(undefined);
      }
      throw apiErrorFrom(response, error, redact);
    }
    return result(expected === 'deleted' ? undefined : parseBody(response, data, expected, redact));
  }
  const run = <T>(expected: Expected, options: RequestOptions | undefined, call: (init: Init) => Promise<RawResult>) =>
    krosPromise(exchange<T>(expected, options, call));
  const byId = (id: string) => {
    assertUuid(id, 'id');
    return { path: { id } };
  };

  return {
    list: (options) => run('array', options, (init) => raw.GET('/webhooks', init)),
    create: (body, options) => run('object', options, (init) => raw.POST('/webhooks', { ...init, body: webhookBody(body, 'body', true) })),
    get: (id, options) => run('object', options, (init) => raw.GET('/webhooks/{id}', { ...init, params: byId(id) })),
    update: (id, patch, options) =>
      run('object', options, (init) => {
        const params = byId(id);
        return raw.PATCH('/webhooks/{id}', { ...init, params, body: webhookBody(patch, 'patch', false) });
      }),
    delete: (id, options) => run('deleted', options, (init) => raw.DELETE('/webhooks/{id}', { ...init, params: byId(id) })),
    test: (id, options) => run('object', options, (init) => raw.POST('/webhooks/{id}/test', { ...init, params: byId(id) })),
  };
}

/** openapi-fetch options for one call, and the settings the transport reports back on; throws on bad options before anything is sent. */
function callInit(send: Send, options: RequestOptions | undefined) {
  const given = readOptions(options, 'options');
  const { organizationId, signal, timeoutMs, maxRetries, maxResponseBytes } = given;
  if (organizationId !== undefined) assertUuid(organizationId, 'options.organizationId');
  if (timeoutMs !== undefined) assertTimeout(timeoutMs, 'options.timeoutMs');
  if (maxRetries !== undefined) assertWholeNumber(maxRetries, 'options.maxRetries', 0, MAX_RETRIES);
  if (maxResponseBytes !== undefined) assertWholeNumber(maxResponseBytes, 'options.maxResponseBytes', 1, Number.MAX_SAFE_INTEGER);
  // Duck-typed: a signal from another realm (a test environment, an edge VM) is no `instanceof` ours.
  if (signal !== undefined && (typeof signal?.addEventListener !== 'function' || typeof signal.aborted !== 'boolean')) {
    throw new KrosValidationError('options.signal must be an AbortSignal');
  }
  const settings: Call = { organizationId, timeoutMs, maxRetries, maxResponseBytes };
  const init = {
    headers: headersFrom(given.headers, 'options.headers'),
    signal,
    parseAs: 'text' as const,
    fetch: sendingWith(send, settings),
  };
  return { init, settings };
}

/**
 * A create body (all required fields) or an update patch (any subset), as the JSON that will be
 * sent: a fresh copy, so its `events` list is the SDK's own to type as mutable.
 */
function webhookBody(given: WebhookCreate, what: string, complete: true): components['schemas']['WebhookCreate'];
function webhookBody(given: WebhookUpdate, what: string, complete: false): Mutable<WebhookUpdate>;
function webhookBody(given: Partial<WebhookCreate>, what: string, complete: boolean): Mutable<Partial<WebhookCreate>> {
  assertObject(given, what);
  const body = jsonSnapshot(given, what) as Mutable<Partial<WebhookCreate>>;
  if (complete || body.url !== undefined) assertHttpUrl(body.url, `${what}.url`);
  if (complete || body.events !== undefined) assertEvents(body.events, `${what}.events`);
  if (body.active !== undefined) assertBoolean(body.active, `${what}.active`);
  return body;
}

/** The JSON body of a success response; anything else is the API's fault and says so. */
function parseBody(response: Response, text: string | undefined, expected: Expected, redact: Redact): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text as string);
  } catch {}
  const jsonKind = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  if (jsonKind !== expected) {
    const actual = value !== undefined ? `a JSON ${jsonKind}` : text ? 'invalid JSON' : 'an empty body';
    // The body itself is not quoted: a truncated webhook could carry its secret.
    throw new KrosInvalidResponseError(
      `${response.status} response is ${actual} where the spec promises a JSON ${expected} (content-type: ${response.headers.get('content-type')})`,
      response,
      undefined,
      redact,
    );
  }
  return value;
}
