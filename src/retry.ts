/**
 * When to retry and how long to wait. There is no idempotency key in the spec, so a POST (create,
 * test) is retried only when the API provably did not act on it: the connection was refused, or it
 * answered 429.
 */

/** Statuses worth another attempt for a request that may safely be repeated. */
const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
/** Connection failures that happen before a single byte of the request is sent. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'DELETE']);

/** Longest wait a server may ask for; past it the call fails at once instead of sleeping. */
export const MAX_SERVER_DELAY_MS = 60_000;
const MAX_BACKOFF_MS = 8_000;

/** What one attempt ended with, as far as retrying is concerned. */
export type AttemptFailure = { status: number } | { timedOut: true } | { connectionError: unknown };

export function isRetryable(method: string, failure: AttemptFailure): boolean {
  const repeatable = IDEMPOTENT_METHODS.has(method);
  if ('status' in failure) return failure.status === 429 || (repeatable && RETRYABLE_STATUSES.has(failure.status));
  if ('timedOut' in failure) return repeatable;
  return repeatable || NOT_SENT_CODES.has(errorCode(failure.connectionError) ?? '');
}

/**
 * The wait the server asked for, in ms: `retry-after-ms`, then `Retry-After` (seconds or an HTTP
 * date), then the `retry_after` seconds of a 429 body.
 */
export function serverDelayMs(headers: Headers, body?: unknown): number | undefined {
  const milliseconds = headers.get('retry-after-ms');
  if (milliseconds !== null && Number.isFinite(Number(milliseconds))) return Math.max(0, Number(milliseconds));
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Number(retryAfter) * 1000;
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - Date.now());
  }
  const fromBody = (body as { retry_after?: unknown } | undefined)?.retry_after;
  if (typeof fromBody === 'number' && fromBody >= 0) return fromBody * 1000;
  return undefined;
}

/** Exponential backoff from `initialMs`, capped, minus up to 25% jitter so clients do not retry in step. */
export function backoffMs(retry: number, initialMs: number): number {
  return Math.min(MAX_BACKOFF_MS, initialMs * 2 ** (retry - 1)) * (1 - Math.random() * 0.25);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The system error code (ECONNREFUSED, ECONNRESET…) behind a fetch failure, when the runtime gives one. */
export function errorCode(error: unknown): string | undefined {
  for (let cause = error; cause; cause = (cause as { cause?: unknown }).cause) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
