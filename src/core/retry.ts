import { onAbort } from './abort.js';

/**
 * When to retry and how long to wait. The spec has no idempotency key, so a POST is retried only
 * when the API provably did not act: the connection was refused, or it answered 429.
 */

/**
 * An HTTP status, `timeout`, `refused` (nothing was sent), `connection` (broken; the request may
 * have arrived), or `unsendable` (fetch refused the request itself: no network failure, no retry).
 */
export type FailureKind = string;

const RETRYABLE = ['408', '429', '500', '502', '503', '504', 'timeout', 'refused', 'connection'];

/** Retries past this many only add load to an API that is down. */
export const MAX_RETRIES = 10;

/** Longest wait a server may ask for; past it the call fails at once instead of sleeping. */
export const MAX_SERVER_DELAY_MS = 60_000;

export function isRetryable(method: string, kind: FailureKind): boolean {
  return RETRYABLE.includes(kind) && (method !== 'POST' || kind === '429' || kind === 'refused');
}

/** Failures after which the API may have acted on the request: it may have arrived before the answer was lost. */
export function mayHaveActed(kind: FailureKind): boolean {
  return ['timeout', 'connection', '500', '502', '503', '504'].includes(kind);
}

/** `unsendable`, `refused` or `connection`, from the error behind a fetch failure. */
export function connectionKind(error: unknown): FailureKind {
  if (fetchRefusal(error)) return 'unsendable';
  return /ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(errorCode(error)) ? 'refused' : 'connection';
}

/** undici's reasons for a request it will not send: a forbidden port, a scheme it does not fetch. */
const REFUSALS = /^(bad port|unknown scheme|URL scheme must be a HTTP\(S\) scheme)$/;

/** Why fetch refused to send, when Node's says so (browsers say only "Failed to fetch": a connection failure); else undefined. */
export function fetchRefusal(error: unknown): string | undefined {
  if ((error as Error)?.name !== 'TypeError') return undefined;
  if (errorCode(error) === 'ERR_INVALID_URL') return 'invalid URL';
  const reason = ((error as Error).cause as Error)?.message;
  return REFUSALS.test(reason) ? reason : undefined;
}

/** The system error code (ECONNREFUSED, ECONNRESET…) behind a fetch failure, or ''; a few causes deep, as a chain may loop. */
export function errorCode(error: unknown): string {
  let cause = error as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; cause && depth < 8; depth++, cause = cause.cause as typeof cause) {
    if (typeof cause.code === 'string') return cause.code;
  }
  return '';
}

/**
 * The wait asked for, in ms: `retry-after-ms`, `Retry-After` (seconds or a date), a 429 body's
 * `retry_after`. None that parses and is positive: undefined, so the jittered backoff applies.
 */
export function serverDelayMs(headers: Headers, body?: unknown): number | undefined {
  const retryAfter = headers.get('retry-after')?.trim() ?? '';
  const retryAfterBody = (body as { retry_after?: unknown })?.retry_after;
  const candidates = [
    decimal(headers.get('retry-after-ms')?.trim() ?? ''),
    decimal(retryAfter) * 1000,
    /[a-z]/i.test(retryAfter) ? Date.parse(retryAfter) - Date.now() : Number.NaN,
    typeof retryAfterBody === 'number' ? retryAfterBody * 1000 : Number.NaN,
  ];
  return candidates.find((ms) => ms > 0 && Number.isFinite(ms));
}

/** A non-negative decimal number, or NaN: `Number()` would also read "", "0x10" and "1e3". */
function decimal(text: string): number {
  return /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
}

/** Exponential backoff from `initialMs`, capped at 8 s, minus up to 25% jitter so clients do not retry in step. */
export function backoffMs(retry: number, initialMs: number): number {
  return Math.min(8_000, initialMs * 2 ** (retry - 1)) * (1 - Math.random() / 4);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal | null | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      resolve();
    }, ms);
    const unsubscribe = onAbort(signal, () => {
      clearTimeout(timer);
      reject(signal?.reason);
    });
  });
}
