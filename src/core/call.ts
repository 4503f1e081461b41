/** One call: options checked, each attempt through openapi-fetch, retried when safe, turned into data or an error. */
import type { Client } from 'openapi-fetch';
import { operationRoutes, type operations, type paths } from '../generated/api.js';
import {
  apiErrorFrom,
  type ErrorScope,
  KrosConnectionError,
  KrosInvalidResponseError,
  KrosTimeoutError,
  KrosValidationError,
} from './errors.js';
import type { KrosHooks, Logger } from './observe.js';
import { errorView, printable, redactorFor } from './redact.js';
import { backoffMs, connectionKind, isRetryable, MAX_RETRIES, MAX_SERVER_DELAY_MS, mayHaveActed, serverDelayMs, sleep } from './retry.js';
import { type CallTrace, spanned, type TracerProviderLike, traceCall } from './trace.js';
import { abortedBy, attemptFetch, type TransportConfig } from './transport.js';
import { assertTimeout, assertUuid, assertWholeNumber, type HeadersInput, headersFrom, readOptions } from './validate.js';

/**
 * Options for one call; they override the client's for this request only.
 *
 * @example
 * ```ts
 * await kros.webhooks.list({ organizationId, timeoutMs: 5_000, signal: controller.signal });
 * ```
 */
export interface RequestOptions {
  /** The organization (UUID) to act in, sent as `x-organization-id`; overrides the client's. */
  organizationId?: string;
  /** Extra headers for this request, checked as the client's are. Auth and organization have their own options. */
  headers?: HeadersInput;
  /** Aborts the call, also during a retry wait; it then rejects with `KrosAbortError`, the signal's reason as `cause`. */
  signal?: AbortSignal;
  /** Milliseconds each attempt may take, body included; overrides the client's `timeoutMs`. */
  timeoutMs?: number;
  /** Retries after a retryable failure (0 to 10); overrides the client's `maxRetries`. */
  maxRetries?: number;
  /** The most bytes the response body may have; overrides the client's `maxResponseBytes`. */
  maxResponseBytes?: number;
}

/** What `withResponse()` resolves to: the data, the standard `Response` (its body read), and `x-request-id`. */
export interface WithResponse<T> {
  data: T;
  response: Response;
  requestId: string | undefined;
}

/** A native `Promise` of the call's data that also has `withResponse()`. */
export interface KrosPromise<T> extends Promise<T> {
  /**
   * The data with its response and request id, from the same single request.
   *
   * @example
   * ```ts
   * const { data, response, requestId } = await kros.webhooks.list().withResponse();
   * ```
   */
  withResponse(): Promise<WithResponse<T>>;
}

/** What a client's calls share. */
export interface ClientContext {
  transport: TransportConfig;
  organizationId: string | undefined;
  timeoutMs: number;
  maxRetries: number;
  initialRetryDelayMs: number;
  maxResponseBytes: number;
  logger: Logger;
  /** The caller's hooks and the debug log; undefined when neither is wanted. */
  hooks: KrosHooks | undefined;
  /** The `tracerProvider` option; else the one the app registered with OpenTelemetry, if any, is read per call. */
  tracerProvider: TracerProviderLike | undefined;
}

/** Per-call settings, checked. */
export interface CallSettings {
  organizationId?: string | undefined;
  timeoutMs?: number | undefined;
  maxRetries?: number | undefined;
  maxResponseBytes?: number | undefined;
  signal?: AbortSignal | null | undefined;
}

type FetchResult = { response: Response; error?: unknown };

/** A call's last result; whether an attempt failed in a way that leaves open whether the API acted; its errors' scope. */
export interface Sent<T> {
  result: T;
  mayHaveActed: boolean;
  scope: Required<ErrorScope>;
}

/** A call's operation (none for a raw call: its path template stands in), method, path template and span. */
export interface Route {
  operationId?: string;
  method: string;
  path: string;
  trace: CallTrace | undefined;
}

/** Runs `invoke`, an openapi-fetch call given one attempt's `fetch`, until it succeeds or may not be retried. */
export async function send<T extends FetchResult>(
  context: ClientContext,
  settings: CallSettings,
  { operationId, method, path: urlTemplate, trace }: Route,
  invoke: (fetch: (request: Request) => Promise<Response>) => Promise<T>,
): Promise<Sent<T>> {
  const maxRetries = settings.maxRetries ?? context.maxRetries;
  const sent: string[] = [];
  const redact = redactorFor(sent);
  const scope = {
    redact,
    view: (error: Error) => errorView(error, redact, 0),
    where: { method, urlTemplate, host: context.transport.host },
  };
  const { hooks } = context;
  let acted = false;
  for (let retry = 0; ; retry++) {
    let result: T | undefined;
    let failure: unknown;
    let kind: string;
    // Only with hooks: without them an attempt builds no event and reads no clock.
    const event = hooks && { operationId: operationId ?? urlTemplate, method, urlTemplate, attempt: retry + 1 };
    const started = event ? performance.now() : 0;
    if (event) hooks?.request?.(event);
    const span = trace?.attempt(retry);
    try {
      const fetch = attemptFetch(context.transport, {
        retry,
        organizationId: settings.organizationId ?? context.organizationId,
        timeoutMs: settings.timeoutMs ?? context.timeoutMs,
        maxResponseBytes: settings.maxResponseBytes ?? context.maxResponseBytes,
        traceparent: span?.traceparent,
        sent,
        scope,
      });
      result = await (span ? span.run(() => invoke(fetch)) : invoke(fetch));
      kind = String(result.response.status);
    } catch (error) {
      // The transport's failures, the caller's abort included, are KrosErrors already; anything else is middleware's own.
      failure = error;
      kind = failure instanceof KrosTimeoutError ? 'timeout' : failure instanceof KrosConnectionError ? connectionKind(failure.cause) : '';
    }
    const response = result?.response;
    const requestId = (event || span) && response && (redact(response.headers.get('x-request-id')?.slice(0, 200) ?? '') || undefined);
    span?.end(response, failure, requestId);
    if (event) {
      const durationMs = performance.now() - started;
      if (response) hooks?.response?.({ ...event, status: response.status, durationMs, requestId });
      else hooks?.error?.({ ...event, error: failure, durationMs });
    }
    if (result?.response.ok) return { result, mayHaveActed: acted, scope };
    if (retry >= maxRetries || !isRetryable(method, kind)) {
      if (result) return { result, mayHaveActed: acted, scope };
      throw failure;
    }
    const { signal } = settings;
    if (signal?.aborted) throw abortedBy(signal, scope);
    acted ||= mayHaveActed(kind);
    const line = `[@krosai/cockpit] ${method} ${urlTemplate}: ${result ? `${kind} ${printable(redact(result.response.statusText))}`.trim() : kind}`;
    const asked = result && serverDelayMs(result.response.headers, kind === '429' ? result.error : undefined);
    if (asked !== undefined && asked > MAX_SERVER_DELAY_MS) {
      context.logger.warn?.(`${line}; the API asks to wait ${Math.ceil(asked / 1000)} s, longer than 60 s: not retrying`);
      return { result: result as T, mayHaveActed: acted, scope };
    }
    const delay = asked ?? backoffMs(retry + 1, context.initialRetryDelayMs);
    if (event)
      hooks?.retry?.({
        ...event,
        attempt: retry + 2,
        delayMs: delay,
        ...(result ? { status: result.response.status } : { error: failure }),
      });
    context.logger.info?.(`${line}; retry ${retry + 1} of ${maxRetries} in ${Math.round(delay)} ms`);
    await sleep(delay, signal).catch(() => {
      throw abortedBy(signal as AbortSignal, scope);
    });
  }
}

/** The facade's per-call options, checked before anything is sent. */
export function callSettings(options: RequestOptions | undefined): CallSettings & { headers: Headers | undefined } {
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
  return { organizationId, signal, timeoutMs, maxRetries, maxResponseBytes, headers: headersFrom(given.headers, 'options.headers') };
}

/** An operation of the spec, by its `operationId`. */
export type OperationId = keyof operations;

type Success<R> = R extends { 200: infer S } ? S : R extends { 201: infer S } ? S : undefined;
/** The JSON an operation answers with on success; `undefined` for none. */
export type OperationData<Op extends OperationId> =
  Success<operations[Op]['responses']> extends { content: { 'application/json': infer T } } ? T : undefined;

/** What an operation is called with: a path `id`, a JSON body. */
export interface OperationInput {
  id?: string;
  body?: unknown;
}

/** Calls an operation of the spec by its id; `input` is read inside the call, so its checks reject the promise. */
export type CallOperation = <Op extends OperationId>(
  operationId: Op,
  options: RequestOptions | undefined,
  input?: () => OperationInput,
) => KrosPromise<OperationData<Op>>;

/** The facade's way to call any operation of the spec by its id: the method, path and success body come from the spec. */
export function operationCaller(context: ClientContext, client: Client<paths>): CallOperation {
  async function perform(
    operationId: OperationId,
    options: RequestOptions | undefined,
    input: (() => OperationInput) | undefined,
    trace?: CallTrace,
  ) {
    const { method, path, success } = operationRoutes[operationId];
    const { headers, ...settings } = callSettings(options);
    const { id, body } = input?.() ?? {};
    if (path.includes('{id}')) assertUuid(id, 'id');
    const init = {
      params: id === undefined ? {} : { path: { id } },
      body,
      headers,
      signal: settings.signal ?? undefined,
      parseAs: 'text' as const,
    };
    const request = client.request as (
      method: string,
      path: string,
      init: object,
    ) => Promise<{ data?: string; error?: unknown; response: Response }>;
    const { result, mayHaveActed, scope } = await send(context, settings, { operationId, method, path, trace }, (fetch) =>
      request(method, path, { ...init, fetch }),
    );
    const { data, error, response } = result;
    const requestId = response.headers.get('x-request-id') ?? undefined;
    if (response.ok) return { data: success === 'none' ? undefined : parseBody(response, data, success, scope), response, requestId };
    if (response.status === 404 && method === 'DELETE' && mayHaveActed) {
      context.logger.info?.(`[@krosai/cockpit] DELETE ${path}: 404 after an attempt that may have deleted it; deleted`);
      return { data: undefined, response, requestId };
    }
    throw apiErrorFrom(response, error, scope);
  }
  return (operationId, options, input) => {
    const { method, path } = operationRoutes[operationId];
    const trace = traceCall(context, operationId, method, path);
    return krosPromise(spanned(trace, perform(operationId, options, input, trace))) as never;
  };
}

/** The data promise of a call, with `withResponse()` giving the call itself; a plain promise, not a subclass. */
function krosPromise<T>(call: Promise<WithResponse<T>>): KrosPromise<T> {
  const data = call.then(({ data }) => data) as KrosPromise<T>;
  data.withResponse = () => {
    // Whoever awaits withResponse() handles the failure: the data promise must not report it unhandled.
    data.catch(() => {});
    return call;
  };
  return data;
}

/** The JSON body of a success response; anything else is the API's fault and says so. */
function parseBody(response: Response, text: string | undefined, expected: 'array' | 'object', scope: ErrorScope): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text as string);
  } catch {}
  const kind = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  if (kind !== expected) {
    const actual = value !== undefined ? `a JSON ${kind}` : text ? 'invalid JSON' : 'an empty body';
    // The body itself is not quoted: a truncated webhook could carry its secret.
    throw new KrosInvalidResponseError(
      `${response.status} response is ${actual} where the spec promises a JSON ${expected} (content-type: ${response.headers.get('content-type')})`,
      response,
      undefined,
      scope,
    );
  }
  return value;
}
