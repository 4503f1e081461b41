/**
 * `kros.webhooks`: the six webhook operations of the spec, with input checked before sending and
 * every failure turned into a typed error.
 */
import { apiErrorFrom, KrosInvalidResponseError } from './errors.js';
import { type components, type operations, webhookEventValues } from './generated/api.js';
import type { RawClient } from './raw-client.js';
import { asKrosError, type Send } from './transport.js';
import { assertBoolean, assertCount, assertEvents, assertHeaders, assertHttpUrl, assertObject, assertTimeout, assertUuid } from './validate.js';

/** A webhook subscription as the API returns it. `secret` signs its deliveries. */
export type Webhook = components['schemas']['Webhook'];
/** The body of `webhooks.create`: `active` may be omitted (the API defaults it to `true`). */
export type WebhookCreate = components['schemas']['WebhookCreate'];
/** The body of `webhooks.update`: any subset of `url`, `events` and `active`. */
export type WebhookUpdate = NonNullable<operations['updateWebhook']['requestBody']>['content']['application/json'];
/** One of the event names the spec defines, such as `"call.completed"`. */
export type WebhookEvent = components['schemas']['WebhookEvent'];
/** What `webhooks.test` reports about the test delivery. */
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

/** Options for one call; they override the client's for this request only. */
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
   * Extra headers for this request. Auth and organization headers come from their own options.
   *
   * @example
   * ```ts
   * await kros.webhooks.list({ headers: { 'x-trace-id': 'abc123' } });
   * ```
   */
  headers?: Record<string, string>;
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
   * Retries after a retryable failure; overrides the client's `maxRetries`. `0` disables them.
   *
   * @example
   * ```ts
   * await kros.webhooks.list({ maxRetries: 0 });
   * ```
   */
  maxRetries?: number;
}

/** The webhook operations; every method rejects with a `KrosError` subclass on failure. */
export interface Webhooks {
  /**
   * Lists the organization's webhooks.
   *
   * @example
   * ```ts
   * const webhooks = await kros.webhooks.list();
   * ```
   */
  list(options?: RequestOptions): Promise<Webhook[]>;
  /**
   * Creates a webhook; the response carries the generated signing `secret`.
   *
   * @example
   * ```ts
   * const webhook = await kros.webhooks.create({ url: 'https://example.com/hooks', events: ['call.completed'] });
   * ```
   */
  create(body: WebhookCreate, options?: RequestOptions): Promise<Webhook>;
  /**
   * Fetches one webhook by id.
   *
   * @example
   * ```ts
   * const webhook = await kros.webhooks.get('497f6eca-6276-4993-bfeb-53cbbbba6f08');
   * ```
   */
  get(id: string, options?: RequestOptions): Promise<Webhook>;
  /**
   * Changes any of `url`, `events` and `active`; fields left out stay as they are.
   *
   * @example
   * ```ts
   * await kros.webhooks.update(id, { active: false });
   * ```
   */
  update(id: string, patch: WebhookUpdate, options?: RequestOptions): Promise<Webhook>;
  /**
   * Deletes a webhook.
   *
   * @example
   * ```ts
   * await kros.webhooks.delete(id);
   * ```
   */
  delete(id: string, options?: RequestOptions): Promise<void>;
  /**
   * Asks the API to send a test delivery to the webhook's URL and reports the outcome.
   *
   * @example
   * ```ts
   * const { success, status_code } = await kros.webhooks.test(id);
   * ```
   */
  test(id: string, options?: RequestOptions): Promise<WebhookTestResult>;
}

type Expected = 'array' | 'object' | 'nothing';

export function createWebhooks(raw: RawClient, send: Send): Webhooks {
  /** openapi-fetch options for one call; throws on bad options before anything is sent. */
  function init(options: RequestOptions = {}) {
    assertObject(options, 'options');
    const { organizationId, headers, signal, timeoutMs, maxRetries } = options;
    if (organizationId !== undefined) assertUuid(organizationId, 'options.organizationId');
    if (timeoutMs !== undefined) assertTimeout(timeoutMs, 'options.timeoutMs');
    if (maxRetries !== undefined) assertCount(maxRetries, 'options.maxRetries');
    assertHeaders(headers, 'options.headers');
    return {
      headers,
      signal,
      parseAs: 'text' as const,
      fetch: (request: Request) => send(request, { organizationId, timeoutMs, maxRetries }),
    };
  }

  /** The parsed body of a call, or the typed error for its failure. */
  async function result<T>(expected: Expected, signal: AbortSignal | undefined, pending: Promise<RawResult>): Promise<T> {
    let outcome: RawResult;
    try {
      outcome = await pending;
    } catch (error) {
      throw asKrosError(error, signal);
    }
    const { data, error, response } = outcome;
    if (!response.ok) throw apiErrorFrom(response, error);
    return (expected === 'nothing' ? undefined : parseBody(response, data, expected)) as T;
  }

  return {
    async list(options) {
      const call = init(options);
      return result('array', call.signal, raw.GET('/webhooks', call));
    },
    async create(body, options) {
      assertObject(body, 'body');
      assertHttpUrl(body.url, 'body.url');
      assertEvents(body.events, 'body.events');
      if (body.active !== undefined) assertBoolean(body.active, 'body.active');
      const call = init(options);
      return result('object', call.signal, raw.POST('/webhooks', { ...call, body }));
    },
    async get(id, options) {
      assertUuid(id, 'id');
      const call = init(options);
      return result('object', call.signal, raw.GET('/webhooks/{id}', { ...call, params: { path: { id } } }));
    },
    async update(id, patch, options) {
      assertUuid(id, 'id');
      assertObject(patch, 'patch');
      if (patch.url !== undefined) assertHttpUrl(patch.url, 'patch.url');
      if (patch.events !== undefined) assertEvents(patch.events, 'patch.events');
      if (patch.active !== undefined) assertBoolean(patch.active, 'patch.active');
      const call = init(options);
      return result('object', call.signal, raw.PATCH('/webhooks/{id}', { ...call, params: { path: { id } }, body: patch }));
    },
    async delete(id, options) {
      assertUuid(id, 'id');
      const call = init(options);
      return result('nothing', call.signal, raw.DELETE('/webhooks/{id}', { ...call, params: { path: { id } } }));
    },
    async test(id, options) {
      assertUuid(id, 'id');
      const call = init(options);
      return result('object', call.signal, raw.POST('/webhooks/{id}/test', { ...call, params: { path: { id } } }));
    },
  };
}

interface RawResult {
  data?: string;
  error?: unknown;
  response: Response;
}

/** The JSON body of a success response; anything else is the API's fault and says so. */
function parseBody(response: Response, text: string | undefined, expected: Expected): unknown {
  const contentType = response.headers.get('content-type') ?? 'none';
  const fail = (problem: string) => new KrosInvalidResponseError(`${response.status} response ${problem}; content-type: ${contentType}`, response);
  if (!text) throw fail(`has an empty body where the spec promises a JSON ${expected}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The body is not quoted: a truncated webhook could carry its secret.
    throw fail(`is not valid JSON (${text.length} characters)`);
  }
  const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  if (actual !== expected) throw fail(`is a JSON ${actual} where the spec promises a JSON ${expected}`);
  return value;
}
