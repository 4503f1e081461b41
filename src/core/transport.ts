/**
 * One attempt: the `fetch` openapi-fetch calls. Credential and organization in, redirects refused,
 * time and size bounded, body read here (a stalled body times out, a reset one is retried).
 */
import { onAbort } from './abort.js';
import type { Credential } from './auth.js';
import { readBounded } from './body.js';
import {
  apiErrorFrom,
  type ErrorScope,
  KrosAbortError,
  KrosApiError,
  KrosConnectionError,
  KrosError,
  KrosInvalidResponseError,
  KrosTimeoutError,
  KrosValidationError,
} from './errors.js';
import { printable } from './redact.js';
import { errorCode, fetchRefusal } from './retry.js';
import { USER_AGENT } from './user-agent.js';

/** What every attempt of a client needs. */
export interface TransportConfig {
  /** The API root every request must stay under: credentials go nowhere else. */
  baseUrl: string;
  /** Its host and port, named in error messages. */
  host: string;
  /** The caller's `fetch`; else the global, read at each attempt, so an interceptor installed later sees it. */
  fetch: typeof globalThis.fetch | undefined;
  credential: Credential;
}

/** One attempt's settings, and what it reports back to its call. */
export interface Attempt {
  retry: number;
  organizationId: string | undefined;
  timeoutMs: number;
  maxResponseBytes: number;
  /** The `traceparent` header of the attempt's span, when tracing. */
  traceparent: string | undefined;
  /** The credential values the call sent so far: the call's redactor hides them. */
  sent: string[];
  scope: Required<ErrorScope>;
}

const CREDENTIAL_HEADERS = ['authorization', 'x-api-key'];

/** The `fetch` for one attempt, as openapi-fetch calls it: with the `Request` it built. */
export function attemptFetch(config: TransportConfig, attempt: Attempt): (request: Request) => Promise<Response> {
  // As the Request's URL will be: host lower-cased, default port dropped, path normalised.
  const root = new URL(config.baseUrl).href.replace(/\/+$/, '');
  return async (request) => {
    // openapi-fetch takes a per-call baseUrl, and middleware may rewrite the URL: the credential must not follow either.
    if (!request.url.startsWith(root) || !/^([/?]|$)/.test(request.url.slice(root.length))) {
      throw new KrosValidationError("a request outside the client's baseUrl: create a client for that API root instead");
    }
    const headers = new Headers(request.headers);
    if (attempt.organizationId && !headers.has('x-organization-id')) headers.set('x-organization-id', attempt.organizationId);
    if (USER_AGENT && !headers.has('user-agent')) headers.set('user-agent', USER_AGENT);
    if (attempt.traceparent && !headers.has('traceparent')) headers.set('traceparent', attempt.traceparent);
    // Middleware may set the credential itself; what it set wins.
    const explicit = CREDENTIAL_HEADERS.flatMap((name) => headers.get(name) ?? []);
    for (const value of explicit) remember(attempt, value);
    return exchange(config, attempt, request, headers, explicit.length > 0);
  };
}

function remember(attempt: Attempt, headerValue: string): void {
  // `Bearer <token>` → `<token>`: what a server or a fetch error might echo on its own.
  const secret = headerValue.replace(/^Bearer\s+/i, '');
  if (!attempt.sent.includes(secret)) attempt.sent.push(secret);
}

/** Credential, request and body within `timeoutMs`, racing a timer so a `fetch` that ignores its signal cannot hang. */
async function exchange(config: TransportConfig, attempt: Attempt, request: Request, headers: Headers, explicitAuth: boolean) {
  const controller = new AbortController();
  let stop: (reason: unknown) => void = () => {};
  const stopped = new Promise<never>((_, reject) => {
    stop = (reason) => {
      controller.abort(reason);
      reject(reason);
    };
  });
  stopped.catch(() => {});
  const { scope } = attempt;
  const timer = setTimeout(
    () => stop(new KrosTimeoutError(`the request timed out after ${attempt.timeoutMs} ms`, scope)),
    attempt.timeoutMs,
  );
  // The caller's signal is on the request openapi-fetch built (or on the one middleware returned).
  const stopFollowing = onAbort(request.signal, () => stop(request.signal.reason));
  let sending: Promise<Response> | undefined;
  try {
    if (!explicitAuth) {
      const credential = config.credential(attempt.retry);
      const [name, value] = credential instanceof Promise ? await Promise.race([credential, stopped]) : credential;
      headers.set(name, value);
      remember(attempt, value);
    }
    // Called as a plain function: browsers and workerd refuse a fetch called as some object's method.
    const fetch = config.fetch ?? globalThis.fetch;
    sending = fetch(request, { headers, redirect: 'manual', signal: controller.signal });
    const response = await Promise.race([sending, stopped]);
    if (response.type === 'opaqueredirect' || response.redirected || (response.status >= 300 && response.status < 400)) {
      response.body?.cancel().catch(() => {});
      throw refusedRedirect(response, request.url, scope);
    }
    const declared = response.headers.has('content-encoding') ? Number.NaN : Number(response.headers.get('content-length'));
    const { bytes, complete } =
      declared > attempt.maxResponseBytes
        ? { bytes: new Uint8Array(0), complete: false }
        : await Promise.race([readBounded(response.body, attempt.maxResponseBytes, controller.signal), stopped]);
    if (!complete) {
      response.body?.cancel().catch(() => {});
      throw new KrosInvalidResponseError(
        `${response.status} response body is over maxResponseBytes (${attempt.maxResponseBytes} bytes); the SDK stopped reading it`,
        response,
        undefined,
        scope,
      );
    }
    return inMemory(response, bytes, scope);
  } catch (error) {
    if (!controller.signal.aborted) throw asKrosError(error, scope);
    // A fetch that ignores the signal may still answer after the attempt gave up: free its connection.
    sending?.then((late) => late.body?.cancel()).catch(() => {});
    throw request.signal.aborted ? abortedBy(request.signal, scope) : controller.signal.reason;
  } finally {
    clearTimeout(timer);
    stopFollowing();
  }
}

/** The caller's abort, as a `KrosError` that keeps the signal's reason. */
export function abortedBy(signal: AbortSignal, scope: ErrorScope): KrosAbortError {
  return new KrosAbortError("the call was aborted by the caller's signal", { cause: signal.reason, ...scope });
}

/** Statuses whose `Response` may have no body. */
const NULL_BODY = [101, 103, 204, 205, 304];

/** A standard `Response` of the bytes read; a status it cannot hold (600–999) becomes its `KrosApiError`. */
function inMemory(response: Response, bytes: Uint8Array<ArrayBuffer>, scope: ErrorScope): Response {
  const { status, statusText, headers } = response;
  if (status < 200 || status > 599) throw apiErrorFrom(response, parsedOrText(bytes), scope);
  const body = NULL_BODY.includes(status) ? null : bytes;
  let copy: Response;
  try {
    copy = new Response(body, { status, statusText: printable(statusText), headers });
  } catch {
    // Characters above U+00FF in a reason phrase, which a custom fetch may hand over: the status is what matters.
    copy = new Response(body, { status, headers });
  }
  // A constructed Response has no URL; keep the one the request went to.
  Object.defineProperty(copy, 'url', { value: response.url });
  return copy;
}

function parsedOrText(bytes: Uint8Array): unknown {
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Credentials go only to the API's origin, so no redirect is followed (the API never sends one):
 * fetch would re-send `x-api-key` and `x-organization-id` to wherever a 307 points.
 */
function refusedRedirect(response: Response, requestUrl: string, scope: ErrorScope): KrosApiError {
  const location = response.redirected ? response.url : response.headers.get('location');
  let target = 'a location the runtime does not show';
  try {
    if (location) target = new URL(location, requestUrl).origin;
  } catch {
    target = 'an invalid location';
  }
  const message = response.redirected
    ? `fetch followed a redirect to ${target}; its answer is not the API's (pass a fetch that honours redirect: 'manual')`
    : `${response.status} redirect to ${target} not followed: the SDK sends credentials only to its baseUrl`;
  return new KrosApiError(message, response, undefined, scope);
}

/** A failure while sending or reading, as a `KrosError`. */
function asKrosError(error: unknown, scope: Required<ErrorScope>): unknown {
  if (error instanceof KrosError) return error;
  const refusal = fetchRefusal(error);
  if (refusal) return new KrosConnectionError(`fetch refused to send the request: ${refusal}`, { cause: error, ...scope });
  // undici says only "fetch failed"; the reason (ECONNREFUSED, a reset socket) is in its cause.
  const reason = errorCode(error) || String((error as Error)?.message ?? error);
  return new KrosConnectionError(`could not reach the KrosAI API: ${printable(scope.redact(reason))}`, { cause: error, ...scope });
}
