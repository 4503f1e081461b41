/**
 * What every request goes through after openapi-fetch has built it: credential and organization
 * headers, a timeout per attempt, retries with backoff, and failures turned into typed errors.
 */
import type { Credential } from './auth.js';
import { KrosConnectionError, KrosError, KrosTimeoutError } from './errors.js';
import { type AttemptFailure, backoffMs, errorCode, isRetryable, MAX_SERVER_DELAY_MS, serverDelayMs, sleep } from './retry.js';

/**
 * Where the SDK reports retries (`info`) and problems worth a look (`warn`); `console` fits.
 *
 * @example
 * ```ts
 * createKrosClient({ apiKey, logger: console });
 * ```
 */
export interface Logger {
  info?(message: string): void;
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

export type Send = (request: Request, call?: CallSettings) => Promise<Response>;

type Attempt = { response: Response; failure?: AttemptFailure } | { error: KrosError; failure: AttemptFailure };

/** Statuses whose responses have no body by definition. */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

export function createTransport(config: TransportConfig): Send {
  return async (request, call = {}) => {
    const timeoutMs = call.timeoutMs ?? config.timeoutMs;
    const maxRetries = call.maxRetries ?? config.maxRetries;
    const organizationId = call.organizationId ?? config.organizationId;
    if (organizationId && !request.headers.has('x-organization-id')) request.headers.set('x-organization-id', organizationId);
    // Raw-client users may set the credential header themselves; what they set explicitly wins.
    const explicitAuth = request.headers.has('authorization') || request.headers.has('x-api-key');

    for (let attempt = 1; ; attempt++) {
      const isLast = attempt > maxRetries;
      // A body can be sent once: every attempt but the last sends a copy.
      const sendable = request.body && !isLast ? request.clone() : request;
      if (!explicitAuth) sendable.headers.set(...(await config.credential()));
      const outcome = await attemptOnce(config.fetch, sendable, request.signal, timeoutMs);
      const { failure } = outcome;
      if (!failure || isLast || !isRetryable(request.method, failure)) {
        if ('error' in outcome) throw outcome.error;
        return outcome.response;
      }
      const where = `${request.method} ${new URL(request.url).pathname}`;
      const reason = 'error' in outcome ? outcome.error.message : statusLine(outcome.response);
      const asked = 'response' in outcome ? serverDelayMs(outcome.response.headers, await jsonBody(outcome.response)) : undefined;
      if (asked !== undefined && asked > MAX_SERVER_DELAY_MS) {
        config.logger.warn?.(`[@krosai/cockpit] ${where}: ${reason}; the API asks to wait ${Math.ceil(asked / 1000)} s, longer than ${MAX_SERVER_DELAY_MS / 1000} s: not retrying`);
        return (outcome as { response: Response }).response;
      }
      const delay = asked ?? backoffMs(attempt, config.initialRetryDelayMs);
      config.logger.info?.(`[@krosai/cockpit] ${where}: ${reason}; retry ${attempt} of ${maxRetries} in ${Math.round(delay)} ms`);
      await sleep(delay, request.signal);
    }
  };
}

/**
 * One exchange, body included, within `timeoutMs`. Reading the body here means a stalled body times
 * out and a connection reset mid-body can be retried. The caller's abort rejects with its reason.
 */
async function attemptOnce(fetch: typeof globalThis.fetch, request: Request, callerSignal: AbortSignal, timeoutMs: number): Promise<Attempt> {
  if (callerSignal.aborted) throw callerSignal.reason;
  const controller = new AbortController();
  const forwardAbort = () => controller.abort(callerSignal.reason);
  callerSignal.addEventListener('abort', forwardAbort, { once: true });
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(request, { signal: controller.signal });
    const body = NULL_BODY_STATUSES.has(response.status) ? null : await response.arrayBuffer();
    const buffered = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    return { response: buffered, failure: buffered.ok ? undefined : { status: buffered.status } };
  } catch (error) {
    if (callerSignal.aborted) throw callerSignal.reason;
    if (error instanceof KrosError) throw error;
    if (controller.signal.aborted) {
      return { error: new KrosTimeoutError(`the request timed out after ${timeoutMs} ms`), failure: { timedOut: true } };
    }
    return { error: connectionError(error), failure: { connectionError: error } };
  } finally {
    clearTimeout(timer);
    callerSignal.removeEventListener('abort', forwardAbort);
  }
}

/** A failure while sending or reading: the caller's abort stays recognisable as such. */
export function asKrosError(error: unknown, signal: AbortSignal | undefined): unknown {
  if (error instanceof KrosError) return error;
  if (signal?.aborted) return signal.reason;
  return connectionError(error);
}

function connectionError(error: unknown): KrosConnectionError {
  // undici says only "fetch failed"; the reason (ECONNREFUSED, a reset socket) is in its cause.
  const detail = errorCode(error) ?? (error as { cause?: { message?: string } })?.cause?.message ?? (error as Error)?.message;
  return new KrosConnectionError(`could not reach the KrosAI API: ${detail ?? String(error)}`, { cause: error });
}

function statusLine(response: Response): string {
  return `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
}

/** The JSON of a buffered error response, if it is JSON (a 429 body may carry `retry_after`). */
async function jsonBody(response: Response): Promise<unknown> {
  if (!response.headers.get('content-type')?.includes('json')) return undefined;
  try {
    return await response.clone().json();
  } catch {
    return undefined;
  }
}
