/**
 * `kros.webhooks`: the six webhook operations of the spec, with input checked before sending and
 * every failure turned into a typed error.
 */
import { apiErrorFrom, KrosInvalidResponseError } from './errors.js';
import { type components, type operations, webhookEventValues } from './generated/api.js';
import { type RawClient, sendingWith } from './raw-client.js';
import { asKrosError, type Send } from './transport.js';
import {
  assertBoolean,
  assertCount,
  assertEvents,
  assertHeaders,
  assertHttpUrl,
  assertObject,
  assertTimeout,
  assertUuid,
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
 * The body of `webhooks.create`: `active` may be omitted (the API defaults it to `true`).
 *
 * @example
 * ```ts
 * const body: WebhookCreate = { url: 'https://example.com/hooks', events: ['call.completed'] };
 * ```
 */
export type WebhookCreate = components['schemas']['WebhookCreate'];
/**
 * The body of `webhooks.update`: any subset of `url`, `events` and `active`.
 *
 * @example
 * ```ts
 * const patch: WebhookUpdate = { active: false };
 * ```
 */
export type WebhookUpdate = NonNullable<operations['updateWebhook']['requestBody']>['content']['application/json'];
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

/**
 * The webhook operations; every method rejects with a `KrosError` subclass on failure.
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

/** What a success response must hold: a JSON array, a JSON object, or nothing of interest. */
type Expected = 'array' | 'object' | undefined;

interface RawResult {
  data?: string;
  error?: unknown;
  response: Response;
}

type Init = ReturnType<typeof callInit>;

export function createWebhooks(raw: RawClient, send: Send): Webhooks {
  /** Checks the options, makes the call, and returns its parsed body or throws its typed error. */
  async function run<T>(expected: Expected, options: RequestOptions | undefined, call: (init: Init) => Promise<RawResult>): Promise<T> {
    const init = callInit(send, options);
    const { data, error, response } = await call(init).catch((failure) => {
      throw asKrosError(failure, init.signal);
    });
    if (!response.ok) throw apiErrorFrom(response, error);
    return (expected && parseBody(response, data, expected)) as T;
  }
  const byId = (id: string) => {
    assertUuid(id, 'id');
    return { path: { id } };
  };

  return {
    list: (options) => run('array', options, (init) => raw.GET('/webhooks', init)),
    create: async (body, options) => {
      assertWebhookBody(body, 'body', true);
      return run('object', options, (init) => raw.POST('/webhooks', { ...init, body }));
    },
    get: async (id, options) => run('object', options, (init) => raw.GET('/webhooks/{id}', { ...init, params: byId(id) })),
    update: async (id, patch, options) => {
      const params = byId(id);
      assertWebhookBody(patch, 'patch', false);
      return run('object', options, (init) => raw.PATCH('/webhooks/{id}', { ...init, params, body: patch }));
    },
    delete: async (id, options) => run(undefined, options, (init) => raw.DELETE('/webhooks/{id}', { ...init, params: byId(id) })),
    test: async (id, options) => run('object', options, (init) => raw.POST('/webhooks/{id}/test', { ...init, params: byId(id) })),
  };
}

/** openapi-fetch options for one call; throws on bad options before anything is sent. */
function callInit(send: Send, options: RequestOptions = {}) {
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
    fetch: sendingWith(send, { organizationId, timeoutMs, maxRetries }),
  };
}

/** A create body (all required fields) or an update patch (any subset). */
function assertWebhookBody(body: Partial<WebhookCreate>, what: string, complete: boolean): void {
  assertObject(body, what);
  if (complete || body.url !== undefined) assertHttpUrl(body.url, `${what}.url`);
  if (complete || body.events !== undefined) assertEvents(body.events, `${what}.events`);
  if (body.active !== undefined) assertBoolean(body.active, `${what}.active`);
}

/** The JSON body of a success response; anything else is the API's fault and says so. */
function parseBody(response: Response, text: string | undefined, expected: Expected): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text as string);
  } catch {}
  const jsonKind = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  const actual = value !== undefined ? `a JSON ${jsonKind}` : text ? 'invalid JSON' : 'an empty body';
  if (actual !== `a JSON ${expected}`) {
    // The body itself is not quoted: a truncated webhook could carry its secret.
    throw new KrosInvalidResponseError(
      `${response.status} response is ${actual} where the spec promises a JSON ${expected} (content-type: ${response.headers.get('content-type')})`,
      response,
    );
  }
  return value;
}
