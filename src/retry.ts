/**
 * When to retry and how long to wait. There is no idempotency key in the spec, so a POST (create,
 * test) is retried only when the API provably did not act on it: the connection was refused before
 * anything was sent, or it answered 429.
 */

/**
 * How an attempt failed: its HTTP status, `timeout`, `refused` (nothing was sent: refused, or the
 * host did not resolve), or `connection` (the connection broke: the request may have arrived).
 */
export type FailureKind = string;

const RETRYABLE = ['408', '429', '500', '502', '503', '504', 'timeout', 'refused', 'connection'];

/** Longest wait a server may ask for; past it the call fails at once instead of sleeping. */
export const MAX_SERVER_DELAY_MS = 60_000;

export function isRetryable(method: string, kind: FailureKind): boolean {
  return RETRYABLE.includes(kind) && (method !== 'POST' || kind === '429' || kind === 'refused');
}

/** `refused` or `connection`, from the system error code behind a fetch failure when the runtime gives one. */
export function connectionKind(error: unknown): FailureKind {
  return /ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(errorCode(error)) ? 'refused' : 'connection';
}

/** The system error code (ECONNREFUSED, ECONNRESET…) behind a fetch failure, or ''. */
export function errorCode(error: unknown): string {
  for (let cause = error as { code?: unknown; cause?: unknown } | undefined; cause; cause = cause.cause as typeof cause) {
    if (typeof cause.code === 'string') return cause.code;
  }
  return '';
}

/**
 * The wait the server asked for, in ms: `retry-after-ms`, then `Retry-After` (seconds or an HTTP
 * date), then the `retry_after` seconds of a 429 body.
 */
export function serverDelayMs(headers: Headers, body?: unknown): number | undefined {
  const retryAfter = headers.get('retry-after');
  const candidates = [
    Number(headers.get('retry-after-ms') ?? Number.NaN),
    Number(retryAfter ?? Number.NaN) * 1000,
    Date.parse(retryAfter as string) - Date.now(),
    Number((body as { retry_after?: unknown })?.retry_after ?? Number.NaN) * 1000,
  ];
  const delay = candidates.find((ms) => !Number.isNaN(ms));
  return delay === undefined ? delay : Math.max(0, delay);
}

/** Exponential backoff from `initialMs`, capped at 8 s, minus up to 25% jitter so clients do not retry in step. */
export function backoffMs(retry: number, initialMs: number): number {
  return Math.min(8_000, initialMs * 2 ** (retry - 1)) * (1 - Math.random() / 4);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal | null | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
  });
}
