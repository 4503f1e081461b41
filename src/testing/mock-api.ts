/**
 * A stateful stand-in for the KrosAI webhooks API, answering as the vendored spec says the API does.
 * Prism mocks the spec statelessly; this one remembers, so a created webhook shows up in `list` and
 * `test` reaches the webhook's real URL. test/testing-prism.test.ts runs it through Prism's
 * validating proxy to hold it to the spec.
 */
import { KrosValidationError } from '../core/errors.js';
import { operationRoutes, type operations, webhookEventValues } from '../generated/api.js';
import type { Webhook, WebhookEvent, WebhookTestResult } from '../resources/webhooks.js';
import {
  assertDeliveryFormat,
  assertDeliveryInput,
  createSignedDelivery,
  type DeliveryFormat,
  newDeliveryId,
  postDelivery,
} from './deliveries.js';
import { type IncomingCall, type MockServer, newRequestId, serve } from './serve.js';

/**
 * Options of {@link createMockKrosApi}.
 *
 * @example
 * ```ts
 * const mock = createMockKrosApi({ apiKeys: ['kros_test_ci'], deliveryTimeoutMs: 2_000 });
 * ```
 */
export interface MockKrosApiOptions {
  /**
   * The only credentials the mock accepts (as a Bearer token or `x-api-key`); any other answers
   * 401. Default: any non-empty credential.
   *
   * @example
   * ```ts
   * createMockKrosApi({ apiKeys: ['kros_test_ci'] });
   * ```
   */
  apiKeys?: string[];
  /**
   * How long a receiver may take to answer a delivery (from `test` or `deliver`) before it counts
   * as failed, in ms. Default: 10 000.
   *
   * @example
   * ```ts
   * createMockKrosApi({ deliveryTimeoutMs: 1_000 });
   * ```
   */
  deliveryTimeoutMs?: number;
  /**
   * How the JSON of the deliveries that `test` sends is written, and the default of
   * {@link MockKrosApi.deliver}'s `format` ({@link DELIVERY_FORMATS}). Default: `'canonical'`.
   *
   * @example
   * ```ts
   * createMockKrosApi({ deliveryFormat: 'reordered' });
   * ```
   */
  deliveryFormat?: DeliveryFormat;
  /**
   * Called with each request once it is answered (credentials redacted), for a log of what the
   * app under test sent.
   *
   * @example
   * ```ts
   * createMockKrosApi({ onRequest: ({ method, path, status }) => console.log(`${method} ${path} → ${status}`) });
   * ```
   */
  onRequest?: (request: RecordedRequest) => void;
  /**
   * Host names that `listen()` answers besides loopback (`127.0.0.1`, `localhost`, `[::1]`), such
   * as a Docker service name. Any other `Host` gets 421: a web page that rebinds its own domain to
   * 127.0.0.1 cannot reach the mock. Default: none.
   */
  allowedHosts?: string[];
}

/**
 * A failure the mock answers with instead of the next requests, for {@link MockKrosApi.failNext}.
 *
 * @example
 * ```ts
 * const failure: FailureOptions = { status: 429, retryAfter: 1 };
 * mock.failNext(failure);
 * ```
 */
export interface FailureOptions {
  /**
   * The HTTP status to answer with, 400 to 599.
   *
   * @example
   * ```ts
   * mock.failNext({ status: 503 });
   * ```
   */
  status: number;
  /**
   * How many requests in a row fail this way. Default: 1.
   *
   * @example
   * ```ts
   * mock.failNext({ status: 500, times: 3 });
   * ```
   */
  times?: number;
  /**
   * Seconds sent in `Retry-After` (whole seconds, as HTTP has them). Default: 1 for a 429, none
   * otherwise. A 429 also carries `X-RateLimit-Limit`, `X-RateLimit-Remaining: 0` and
   * `X-RateLimit-Reset`, and `retry_after` in its body, as KrosAI's rate limiter does.
   *
   * @example
   * ```ts
   * mock.failNext({ status: 429, retryAfter: 2 });
   * ```
   */
  retryAfter?: number;
}

/**
 * A request the mock received, with the credential redacted (`Bearer [redacted]`).
 *
 * @example
 * ```ts
 * const [first]: RecordedRequest[] = mock.requests;
 * expect(first).toMatchObject({ method: 'POST', path: '/webhooks', status: 201 });
 * ```
 */
export interface RecordedRequest {
  /** `GET`, `POST`, `PATCH`, `DELETE`. */
  method: string;
  /** The path and query, such as `/webhooks/497f6eca-6276-4993-bfeb-53cbbbba6f08/test`. */
  path: string;
  /** Lower-case header names; `authorization` and `x-api-key` values redacted. */
  headers: Record<string, string>;
  /** The parsed JSON body, the raw text if it was not JSON, or `undefined` when empty. */
  body: unknown;
  /** The status the mock answered with; 0 while it is still answering (a `test` waits for the receiver). */
  status: number;
}

/**
 * What one receiver answered to a delivery from {@link MockKrosApi.deliver}: the fields of
 * `WebhookTestResult`, and which webhook it was.
 *
 * @example
 * ```ts
 * const [outcome]: DeliveryOutcome[] = await mock.deliver('call.completed', { call_id: 'call_1' });
 * expect(outcome).toMatchObject({ success: true, status_code: 204 });
 * ```
 */
export interface DeliveryOutcome extends WebhookTestResult {
  /** The webhook the delivery was for. */
  webhookId: string;
  /** Where it was sent. */
  url: string;
  /** True when the receiver answered 2xx. */
  success: boolean;
  /** The receiver's HTTP status, or `null` when none arrived (refused, timed out, not http(s)). */
  status_code: number | null;
  /** What happened, in words. */
  message: string;
}

/**
 * A webhook as the mock stores it: every field of `Webhook` is present.
 *
 * @example
 * ```ts
 * const [webhook]: MockWebhook[] = mock.webhooks();
 * await verifyWebhook(rawBody, headers, webhook.secret);
 * ```
 */
export type MockWebhook = Required<Webhook>;

/**
 * The mock API; create it with {@link createMockKrosApi}.
 *
 * @example
 * ```ts
 * const mock: MockKrosApi = createMockKrosApi();
 * const kros = createKrosClient({ fetch: mock.fetch, baseUrl: mock.baseUrl, apiKey: 'kros_test_x' });
 * ```
 */
export interface MockKrosApi {
  /**
   * The base URL that {@link MockKrosApi.fetch} answers; pass it as the client's `baseUrl`.
   *
   * @example
   * ```ts
   * createKrosClient({ fetch: mock.fetch, baseUrl: mock.baseUrl, apiKey: 'kros_test_x' });
   * ```
   */
  readonly baseUrl: string;
  /**
   * A `fetch` that answers in-process, without a socket: pass it as the client's `fetch`. It
   * rejects requests for any other origin than {@link MockKrosApi.baseUrl}.
   *
   * @example
   * ```ts
   * const response = await mock.fetch(`${mock.baseUrl}/webhooks`, { headers: { authorization: 'Bearer kros_test_x' } });
   * ```
   */
  readonly fetch: typeof globalThis.fetch;
  /**
   * The organization used when a request has no `x-organization-id`.
   *
   * @example
   * ```ts
   * expect(created.organization_id).toBe(mock.defaultOrganizationId);
   * ```
   */
  readonly defaultOrganizationId: string;
  /**
   * The last 1,000 requests received since creation or the last `reset()`, oldest first; bodies
   * over 64 KiB are kept as their first 64 KiB of text.
   *
   * @example
   * ```ts
   * expect(mock.requests.map((request) => request.status)).toEqual([429, 201]);
   * ```
   */
  readonly requests: readonly RecordedRequest[];
  /**
   * Serves the same mock (same state) over HTTP on 127.0.0.1; port 0, the default, picks a free
   * port.
   *
   * @example
   * ```ts
   * const server = await mock.listen();
   * process.env.KROSAI_BASE_URL = server.url;
   * await server.close();
   * ```
   */
  listen(port?: number): Promise<MockServer>;
  /**
   * Sends one delivery of `event`, signed with each webhook's secret, to every active webhook (of
   * any organization) subscribed to it, and resolves to each receiver's outcome. Like KrosAI it
   * does not follow redirects; unlike KrosAI it does not retry failures. `format` writes the JSON
   * in another form ({@link DELIVERY_FORMATS}); default: the mock's `deliveryFormat`.
   *
   * @example
   * ```ts
   * const outcomes = await mock.deliver('call.completed', { call_id: 'call_1', duration: 42 });
   * await mock.deliver('call.completed', { amount: 1.5 }, { format: 'indented' });
   * ```
   */
  deliver(
    event: WebhookEvent | (string & {}),
    data?: Record<string, unknown>,
    options?: { format?: DeliveryFormat },
  ): Promise<DeliveryOutcome[]>;
  /**
   * A copy of an organization's webhooks, secrets included. Default: the default organization.
   *
   * @example
   * ```ts
   * expect(mock.webhooks()).toHaveLength(1);
   * ```
   */
  webhooks(organizationId?: string): MockWebhook[];
  /**
   * Makes the next requests fail with `status` before anything else is checked.
   *
   * @example
   * ```ts
   * mock.failNext({ status: 429, retryAfter: 1 });
   * ```
   */
  failNext(failure: FailureOptions): void;
  /**
   * Forgets every webhook, recorded request and pending failure.
   *
   * @example
   * ```ts
   * afterEach(() => mock.reset());
   * ```
   */
  reset(): void;
}

/**
 * The `event` of the delivery that the mock's `POST /webhooks/{id}/test` sends, with
 * `data: { webhook_id, message }`. KrosAI does not document its test payload: a receiver should
 * answer 2xx to an event name it does not handle.
 *
 * @example
 * ```ts
 * if (delivery.event === TEST_EVENT) return new Response(null, { status: 204 });
 * ```
 */
export const TEST_EVENT = 'webhook.test';

const BASE_URL = 'https://api.krosai.test';
/** What `requests` keeps: enough for any test, bounded for a mock left running. */
const MAX_RECORDED = 1_000;
const MAX_RECORDED_BODY = 64 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// RFC 3986 characters after a scheme; what JSON Schema's `format: uri` accepts, and what URL parses.
const URI = /^[a-z][a-z\d+.-]*:(?:[\w\-.~:/?#[\]@!$&'()*+,;=]|%[\da-f]{2})*$/i;

/**
 * Creates a stateful mock of the KrosAI webhooks API for tests: the six operations with their
 * status codes and `Error` bodies, organizations, authentication, signed deliveries to the
 * webhooks' real URLs, and injected failures.
 *
 * @example
 * ```ts
 * import { createKrosClient } from '@krosai/cockpit';
 * import { createMockKrosApi } from '@krosai/cockpit/testing';
 *
 * const mock = createMockKrosApi();
 * const kros = createKrosClient({ fetch: mock.fetch, baseUrl: mock.baseUrl, apiKey: 'kros_test_x' });
 * await kros.webhooks.create({ url: 'https://example.com/hooks', events: ['call.completed'] });
 * expect(await kros.webhooks.list()).toHaveLength(1);
 * ```
 */
export function createMockKrosApi(options: MockKrosApiOptions = {}): MockKrosApi {
  if (!options || typeof options !== 'object') throw new KrosValidationError('options must be an object');
  const { apiKeys, deliveryTimeoutMs = 10_000, deliveryFormat = 'canonical', onRequest, allowedHosts = [] } = options;
  assertDeliveryFormat(deliveryFormat, 'options.deliveryFormat');
  if (!Array.isArray(allowedHosts) || allowedHosts.some((host) => !host || typeof host !== 'string')) {
    throw new KrosValidationError('options.allowedHosts must be an array of host names');
  }
  if (apiKeys !== undefined && (!Array.isArray(apiKeys) || !apiKeys.length || apiKeys.some((key) => !key || typeof key !== 'string'))) {
    throw new KrosValidationError('options.apiKeys must be a non-empty array of non-empty strings');
  }
  if (typeof deliveryTimeoutMs !== 'number' || !(deliveryTimeoutMs > 0 && deliveryTimeoutMs < 2 ** 31)) {
    throw new KrosValidationError('options.deliveryTimeoutMs must be 1 to 2^31 - 1 ms');
  }
  const defaultOrganizationId = crypto.randomUUID();
  /** Webhooks by organization, then by id, in creation order. */
  const organizations = new Map<string, Map<string, MockWebhook>>();
  const requests: RecordedRequest[] = [];
  const failures: { status: number; times: number; retryAfter: number | undefined }[] = [];

  function webhooksOf(organizationId: string): Map<string, MockWebhook> {
    if (!organizations.has(organizationId)) organizations.set(organizationId, new Map());
    return organizations.get(organizationId) as Map<string, MockWebhook>;
  }

  async function handle(call: IncomingCall): Promise<Response> {
    const record: RecordedRequest = {
      method: call.method,
      path: call.url.pathname + call.url.search,
      headers: redacted(call.headers),
      body: parsedOrRaw(call.body.length > MAX_RECORDED_BODY ? call.body.slice(0, MAX_RECORDED_BODY) : call.body),
      status: 0,
    };
    requests.push(record);
    if (requests.length > MAX_RECORDED) requests.shift();
    const response = await answer(call).catch(() => error(500, 'The mock failed to answer', 'INTERNAL_ERROR'));
    // On every answer, as KrosAI's: what `withResponse().requestId` and `KrosApiError.requestId` read.
    response.headers.set('x-request-id', newRequestId());
    record.status = response.status;
    onRequest?.(record);
    return response;
  }

  async function answer({ method, url, headers, body }: IncomingCall): Promise<Response> {
    // For a mock served to another process: `krosai-cockpit mock` has no reset() to call.
    if (method === 'POST' && url.pathname === '/_mock/reset') {
      mock.reset();
      return new Response(null, { status: 204 });
    }
    const failure = failures[0];
    if (failure) {
      if (--failure.times === 0) failures.shift();
      return failed(failure.status, failure.retryAfter);
    }
    if (!isAuthorized(headers, apiKeys)) return error(401, 'Invalid or missing API key', 'UNAUTHORIZED');
    const organizationId = headers.get('x-organization-id') ?? defaultOrganizationId;
    if (!UUID.test(organizationId)) return error(400, 'x-organization-id must be a UUID', 'INVALID_ORGANIZATION_ID');
    const webhooks = webhooksOf(organizationId.toLowerCase());

    const matched = matchRoute(method, url.pathname);
    if (matched === 'no route') return notFound();
    if (matched === 'no method') return error(405, `${method} is not an operation of ${url.pathname}`, 'METHOD_NOT_ALLOWED');
    const webhook = matched.id === undefined ? undefined : webhooks.get(matched.id.toLowerCase());
    if (matched.id !== undefined && !webhook) return error(404, 'Webhook not found', 'NOT_FOUND');
    return OPERATIONS[matched.operationId]({
      webhooks,
      organizationId: organizationId.toLowerCase(),
      webhook: webhook as MockWebhook,
      body,
    });
  }

  /** What the mock does for each operation of the spec: a spec bump that adds one fails to compile until it is here. */
  const OPERATIONS = {
    listWebhooks: ({ webhooks }) => json(200, [...webhooks.values()]),
    createWebhook: ({ webhooks, organizationId, body }) => create(webhooks, organizationId, body),
    getWebhook: ({ webhook }) => json(200, webhook),
    updateWebhook: ({ webhook, body }) => update(webhook, body),
    deleteWebhook: ({ webhooks, webhook }) => {
      webhooks.delete(webhook.id);
      return new Response(null, { status: 204 });
    },
    testWebhook: async ({ webhook }) => json(200, await testDelivery(webhook)),
  } satisfies Record<keyof operations, (call: OperationCall) => Response | Promise<Response>>;

  function create(webhooks: Map<string, MockWebhook>, organizationId: string, text: string): Response {
    const body = parseJson(text);
    const problems = body.ok ? webhookProblems(body.value, true) : ['the body must be JSON'];
    if (problems.length || !body.ok) return invalidBody(problems);
    const { url, events, active = true } = body.value as { url: string; events: WebhookEvent[]; active?: boolean };
    const now = new Date().toISOString();
    const id = crypto.randomUUID();
    const webhook: MockWebhook = {
      id,
      url,
      secret: newSecret(),
      events: [...events],
      active,
      organization_id: organizationId,
      created_at: now,
      updated_at: now,
    };
    webhooks.set(id, webhook);
    return json(201, webhook);
  }

  function update(webhook: MockWebhook, text: string): Response {
    // The spec does not require a body for PATCH: none changes nothing.
    const body = text ? parseJson(text) : { ok: true as const, value: {} };
    const problems = body.ok ? webhookProblems(body.value, false) : ['the body must be JSON'];
    if (problems.length || !body.ok) return invalidBody(problems);
    const patch = body.value as { url?: string; events?: WebhookEvent[]; active?: boolean };
    if (patch.url !== undefined) webhook.url = patch.url;
    if (patch.events !== undefined) webhook.events = [...patch.events];
    if (patch.active !== undefined) webhook.active = patch.active;
    webhook.updated_at = new Date().toISOString();
    return json(200, webhook);
  }

  async function testDelivery(webhook: MockWebhook): Promise<WebhookTestResult> {
    const data = { webhook_id: webhook.id, message: 'A test delivery from the KrosAI mock' };
    const delivery = await createSignedDelivery(TEST_EVENT, data, webhook.secret, { format: deliveryFormat });
    const { success, status_code, message } = await postDelivery(webhook.url, delivery, deliveryTimeoutMs);
    return { success, status_code, message };
  }

  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.origin !== BASE_URL) throw new TypeError(`mock.fetch answers ${BASE_URL} only, not ${url.origin}: use mock.baseUrl`);
    request.signal.throwIfAborted();
    const body = await request.text();
    return abortable(handle({ method: request.method, url, headers: request.headers, body }), request.signal);
  };

  const mock: MockKrosApi = {
    baseUrl: BASE_URL,
    fetch,
    defaultOrganizationId,
    requests,
    listen: (port = 0) => serve(handle, port, ['127.0.0.1', 'localhost', '[::1]', ...allowedHosts]),
    async deliver(event, data = {}, options = {}) {
      const format = options?.format ?? deliveryFormat;
      assertDeliveryInput(event, data);
      assertDeliveryFormat(format, 'options.format');
      const subscribed = [...organizations.values()]
        .flatMap((webhooks) => [...webhooks.values()])
        .filter((webhook) => webhook.active && webhook.events.includes(event as WebhookEvent));
      // One event, one envelope id (receivers deduplicate on it), signed with each webhook's own secret.
      const id = newDeliveryId();
      const timestamp = new Date();
      return Promise.all(
        subscribed.map(async (webhook) => {
          const delivery = await createSignedDelivery(event, data, webhook.secret, { id, timestamp, format });
          const { success, status_code, message } = await postDelivery(webhook.url, delivery, deliveryTimeoutMs);
          return { webhookId: webhook.id, url: webhook.url, success, status_code, message };
        }),
      );
    },
    webhooks: (organizationId = defaultOrganizationId) => structuredClone([...webhooksOf(organizationId.toLowerCase()).values()]),
    failNext(failure) {
      const { status, times = 1, retryAfter } = failure ?? ({} as FailureOptions);
      if (!Number.isInteger(status) || status < 400 || status > 599) throw new KrosValidationError('failNext: status must be 400 to 599');
      if (!Number.isInteger(times) || times < 1) throw new KrosValidationError('failNext: times must be a whole number >= 1');
      if (retryAfter !== undefined && (!Number.isInteger(retryAfter) || retryAfter < 0)) {
        throw new KrosValidationError('failNext: retryAfter must be whole seconds >= 0');
      }
      failures.push({ status, times, retryAfter: retryAfter ?? (status === 429 ? 1 : undefined) });
    },
    reset() {
      organizations.clear();
      requests.length = 0;
      failures.length = 0;
    },
  };
  return mock;
}

/** What an operation's handler gets: the organization's webhooks, the one its path names, the raw body. */
interface OperationCall {
  webhooks: Map<string, MockWebhook>;
  organizationId: string;
  webhook: MockWebhook;
  body: string;
}

/** The spec's routes as patterns: `/webhooks/{id}/test` matches `/webhooks/<anything but a slash>/test`. */
const ROUTES = Object.entries(operationRoutes).map(([operationId, { method, path }]) => ({
  operationId: operationId as keyof operations,
  method,
  pattern: new RegExp(`^${path.replace(/\{id\}/g, '([^/]+)')}$`),
}));

/** The operation a request names and its path `id`; whether no path matched, or only with another method. */
function matchRoute(method: string, pathname: string) {
  const byPath = ROUTES.filter((route) => route.pattern.test(pathname));
  const route = byPath.find((candidate) => candidate.method === method);
  if (!route) return byPath.length ? 'no method' : 'no route';
  return { operationId: route.operationId, id: route.pattern.exec(pathname)?.[1] };
}

/** A Bearer token or an `x-api-key`, and one of `apiKeys` when they are given. */
function isAuthorized(headers: Headers, apiKeys: string[] | undefined): boolean {
  const bearer = /^Bearer +(\S+)$/i.exec(headers.get('authorization') ?? '')?.[1];
  const credentials = [bearer, headers.get('x-api-key')?.trim()].filter((key): key is string => Boolean(key));
  return credentials.some((key) => !apiKeys || apiKeys.includes(key));
}

/** What the spec's `WebhookCreate` (complete) or PATCH body (partial) refuses in `body`. */
function webhookProblems(body: unknown, complete: boolean): string[] {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return ['the body must be a JSON object'];
  const { url, events, active } = body as Record<string, unknown>;
  const problems: string[] = [];
  if (complete || url !== undefined) {
    if (typeof url !== 'string' || !isUri(url)) problems.push('url must be a URI');
  }
  if (complete || events !== undefined) {
    if (!Array.isArray(events)) problems.push('events must be an array of event names');
    // The spec sets minItems: 1 on WebhookCreate.events only.
    else if (complete && !events.length) problems.push('events must name at least one event');
    else {
      const unknown = events.filter((event) => !webhookEventValues.includes(event));
      if (unknown.length) problems.push(`events: unknown ${JSON.stringify(unknown).slice(0, 200)}`);
    }
  }
  if (active !== undefined && typeof active !== 'boolean') problems.push('active must be true or false');
  return problems;
}

function isUri(value: string): boolean {
  if (!URI.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function parsedOrRaw(text: string): unknown {
  if (!text) return undefined;
  const parsed = parseJson(text);
  return parsed.ok ? parsed.value : text;
}

function redacted(headers: Headers): Record<string, string> {
  const copy = Object.fromEntries(headers);
  if (copy.authorization) copy.authorization = copy.authorization.replace(/^(\S+ +)?.*$/, (_, scheme = '') => `${scheme}[redacted]`);
  if (copy['x-api-key']) copy['x-api-key'] = '[redacted]';
  return copy;
}

function newSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return `whsec_${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** A body of the spec's `Error` schema. */
function error(status: number, message: string, code: string, details?: Record<string, unknown>, headers?: Record<string, string>) {
  return json(status, details ? { error: message, code, details } : { error: message, code }, headers);
}

const notFound = () => error(404, 'Not found', 'NOT_FOUND');

const invalidBody = (problems: string[]) => error(400, `Invalid request body: ${problems.join('; ')}`, 'VALIDATION_ERROR', { problems });

/** An injected failure; a 429 looks like KrosAI's rate limiter (krosai-facts: Rate limits). */
function failed(status: number, retryAfter: number | undefined): Response {
  const headers: Record<string, string> = retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
  if (status !== 429) return error(status, `Injected failure (${status})`, 'MOCK_FAILURE', undefined, headers);
  const reset = Math.ceil(Date.now() / 1000) + (retryAfter ?? 0);
  Object.assign(headers, { 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) });
  return json(429, { error: 'Rate limit exceeded', code: 'RATE_LIMIT_EXCEEDED', retry_after: retryAfter }, headers);
}

/** Rejects with the signal's reason as soon as it aborts, as `fetch` does. */
function abortable(pending: Promise<Response>, signal: AbortSignal): Promise<Response> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
