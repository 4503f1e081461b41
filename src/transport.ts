/**
 * What every request goes through after openapi-fetch has built it: credential and organization
 * headers, a timeout per attempt, retries with backoff, and failures turned into typed errors.
 */
import type { Credential } from './auth.js';
import { KrosConnectionError, KrosError, KrosTimeoutError } from './errors.js';
import { backoffMs, connectionKind, errorCode, type FailureKind, isRetryable, MAX_SERVER_DELAY_MS, serverDelayMs, sleep } from './retry.js';

/**
 * Where the SDK reports retries (`info`) and problems worth a look (`warn`); `console` fits.
 *
 * @example
 * ```ts
 * createKrosClient({ apiKey, logger: console });
 * ```
 */
export interface Logger {
  /** One line per retry: what failed, which retry, and the wait. */
  info?(message: string): void;
  /** A problem worth a look, such as a requested wait too long to honour. */
  warn?(message: string): void;
}

/** Settings of one call, set per request by the facade. */
export interface CallSettings {
  organizationId?: string | undefined;
  timeoutMs?: number | undefined;
  maxRetries?: number | undefined;
}

export interface TransportConfig {
  fetch: typeof globalThis.fetch;
  credential: Credential;
  organizationId: string | undefined;
  timeoutMs: number;
  maxRetries: number;
  initialRetryDelayMs: number;
  logger: Logger;
}

/**
 * A request as openapi-fetch builds it, kept as the parts that fetch(url, init) takes. Sending a
 * real `Request` with each attempt's own signal makes fetch construct a second one that follows the
 * first's signal: about 100 µs per loopback call (bench/RESULTS.md). The body stays a plain value
 * that a retry sends again.
 */
export class OutgoingRequest {
  readonly method: string;
  readonly headers: Headers;
  readonly body: BodyInit | null | undefined;
  readonly signal: AbortSignal | null | undefined;

  constructor(
    readonly url: string,
    readonly init: RequestInit,
  ) {
    this.method = init.method ?? 'GET';
    this.headers = new Headers(init.headers);
    this.body = init.body;
    this.signal = init.signal;
  }
}

export type Send = (request: OutgoingRequest, call?: CallSettings) => Promise<Response>;

export function createTransport(config: TransportConfig): Send {
  return async (request, call = {}) => {
    const timeoutMs = call.timeoutMs ?? config.timeoutMs;
    const maxRetries = call.maxRetries ?? config.maxRetries;
    const organizationId = call.organizationId ?? config.organizationId;
    const { headers, signal, method } = request;
    if (organizationId && !headers.has('x-organization-id')) headers.set('x-organization-id', organizationId);
    // Raw-client users may set the credential header themselves; what they set explicitly wins.
    const explicitAuth = headers.has('authorization') || headers.has('x-api-key');

    for (let attempt = 1; ; attempt++) {
      const isLast = attempt > maxRetries;
      if (!explicitAuth) {
        const pending = config.credential();
        const [name, value] = pending instanceof Promise ? await pending : pending;
        headers.set(name, value);
      }
      let response: Response | undefined;
      let failure: unknown;
      let kind: FailureKind;
      try {
        response = await attemptOnce(config.fetch, request, timeoutMs);
        if (response.ok) return response;
        kind = String(response.status);
      } catch (error) {
        failure = error;
        kind = error instanceof KrosTimeoutError ? 'timeout' : error instanceof KrosConnectionError ? connectionKind(error.cause) : '';
      }
      if (isLast || signal?.aborted || !isRetryable(method, kind)) {
        if (response) return response;
        throw failure;
      }
      const where = `[@krosai/cockpit] ${method} ${new URL(request.url).pathname}: ${response ? `${kind} ${response.statusText}` : kind}`;
      const asked = response && serverDelayMs(response.headers, kind === '429' ? await jsonOf(response) : undefined);
      if (asked !== undefined && asked > MAX_SERVER_DELAY_MS) {
        config.logger.warn?.(`${where}; the API asks to wait ${Math.ceil(asked / 1000)} s, longer than 60 s: not retrying`);
        return response as Response;
      }
      const delay = asked ?? backoffMs(attempt, config.initialRetryDelayMs);
      config.logger.info?.(`${where}; retry ${attempt} of ${maxRetries} in ${Math.round(delay)} ms`);
      await sleep(delay, signal);
    }
  };
}

/**
 * One exchange, body included, within `timeoutMs`. Reading the body here means a stalled body times
 * out and a connection reset mid-body can be retried. The caller's abort rejects with its reason.
 */
async function attemptOnce(fetch: typeof globalThis.fetch, request: OutgoingRequest, timeoutMs: number): Promise<Response> {
  const { url, init, headers, body, signal: callerSignal } = request;
  const controller = new AbortController();
  const forwardAbort = () => controller.abort(callerSignal?.reason);
  callerSignal?.addEventListener('abort', forwardAbort);
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    callerSignal?.throwIfAborted();
    const response = await fetch(url, { ...init, headers, body, signal: controller.signal });
    return new Response(response.body && (await response.arrayBuffer()), response);
  } catch (error) {
    throw controller.signal.aborted && !callerSignal?.aborted
      ? new KrosTimeoutError(`the request timed out after ${timeoutMs} ms`)
      : asKrosError(error, callerSignal);
  } finally {
    clearTimeout(timer);
    callerSignal?.removeEventListener('abort', forwardAbort);
  }
}

/** A failure while sending or reading: the caller's abort stays recognisable as such. */
export function asKrosError(error: unknown, signal: AbortSignal | null | undefined): unknown {
  if (error instanceof KrosError) return error;
  if (signal?.aborted) return signal.reason;
  // undici says only "fetch failed"; the reason (ECONNREFUSED, a reset socket) is in its cause.
  return new KrosConnectionError(`could not reach the KrosAI API: ${errorCode(error) || (error as Error)?.message}`, { cause: error });
}

/** The body of a buffered response as JSON, or undefined when it is not JSON (a 429 may carry `retry_after`). */
function jsonOf(response: Response): Promise<unknown> {
  return response
    .clone()
    .json()
    .catch(() => undefined);
}
