/** Every error extends {@link KrosError}. None carries the request (its headers hold the credential). */
import { printable, type Redact, redactDeep } from './redact.js';
import { serverDelayMs } from './retry.js';

/** Each error's redacted view for `inspect`, kept off the instance so that neither `inspect` nor a `.d.ts` shows it. */
const views = new WeakMap<KrosError, (error: Error) => Error>();

/** What `toJSON` copies when present: never a header, the request, or the raw body. */
const JSON_FIELDS = ['method', 'urlTemplate', 'host', 'status', 'code', 'details', 'requestId', 'retryAfter', 'reason'] as const;

/** Where a call went: never its path's values, its query or a credential. */
export interface CallSite {
  method: string;
  urlTemplate: string;
  host: string;
}

/** What the errors of one call are made with: its redactor, and where it went. */
export interface ErrorScope {
  redact?: Redact | undefined;
  /** What `inspect` renders instead of the error: made by the client, so that the verifier's bundle has no redaction code. */
  view?: ((error: Error) => Error) | undefined;
  where?: CallSite | undefined;
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** Base class of every error thrown by `@krosai/cockpit`. */
export class KrosError extends Error {
  /**
   * @internal The class's name, safe from minifiers. `instanceof` compares it, not class identity,
   * so an error from the CommonJS build is an instance of the ES module build's class.
   */
  static readonly brand: string = 'KrosError';
  /** The call's HTTP method, on the errors of a call (`KrosApiError`, `KrosConnectionError`, `KrosAbortError`). */
  declare readonly method?: string;
  /** The call's path template, such as `/webhooks/{id}`: no id, no query. */
  declare readonly urlTemplate?: string;
  /** The host (and port) of the client's `baseUrl`. */
  declare readonly host?: string;

  /** With `where`, the message names the method, path template and host: `GET /webhooks/{id} → 404 Not found (api.krosai.com)`. */
  constructor(message?: string, options?: { cause?: unknown } & ErrorScope) {
    const where = options?.where;
    super(where ? `${where.method} ${where.urlTemplate} → ${message} (${where.host})` : message, options);
    this.name = (new.target as typeof KrosError).brand;
    if (options?.view) views.set(this, options.view);
    if (where) Object.assign(this, where);
  }

  /** True when `value`'s class, or one it extends, is this class, in whichever build it was made. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    for (let proto = value && Object.getPrototypeOf(value); proto; proto = Object.getPrototypeOf(proto)) {
      // biome-ignore lint/complexity/noThisInStatic: `this` is the class on the right of instanceof, a subclass included.
      if ((proto.constructor as typeof KrosError)?.brand === this.brand) return true;
    }
    return false;
  }

  /** `name`, `message`, and whichever of `method`, `urlTemplate`, `host`, `status`, `code`, `details`, `requestId`, `retryAfter` and `reason` it has. */
  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = { name: this.name, message: this.message };
    for (const field of JSON_FIELDS) {
      const value = (this as Record<string, unknown>)[field];
      if (value !== undefined) json[field] = value;
    }
    return json;
  }

  /** @internal Node's `util.inspect`: for a call's errors, the usual rendering of a copy whose values are redacted, `cause` included. */
  [INSPECT](_depth: number, options: object, inspect: (value: unknown, options: object) => string): string {
    // Values, not the rendered text: a pattern run over the text would eat its quotes.
    const view = views.get(this);
    return inspect(view ? view(this) : this, view ? options : { ...options, customInspect: false });
  }
}

/** Input the SDK refused before sending anything (a malformed id or URL, a missing API key): fix the call. */
export class KrosValidationError extends KrosError {
  static override readonly brand: string = 'KrosValidationError';
}

/** The request got no HTTP response: DNS failure, refused or reset connection. `cause` holds `fetch`'s error. */
export class KrosConnectionError extends KrosError {
  static override readonly brand: string = 'KrosConnectionError';
}

/** Every attempt took longer than `timeoutMs`, body included. */
export class KrosTimeoutError extends KrosConnectionError {
  static override readonly brand: string = 'KrosTimeoutError';
}

/** The caller's `signal` aborted the call, whose reason is `cause`; never retried. The SDK's own timeout is {@link KrosTimeoutError}. */
export class KrosAbortError extends KrosError {
  static override readonly brand: string = 'KrosAbortError';
}

/**
 * The API answered outside 2xx (a redirect included: none is followed), or a success that is not the
 * JSON the spec promises. Common statuses have subclasses.
 *
 * @example
 * ```ts
 * const webhook = await kros.webhooks.get(id).catch((error) => {
 *   if (error instanceof KrosNotFoundError) return null;
 *   throw error; // a KrosApiError has status, code, details and requestId
 * });
 * ```
 */
export class KrosApiError extends KrosError {
  static override readonly brand: string = 'KrosApiError';
  /** The HTTP status of the response. */
  readonly status: number;
  /** The machine-readable `code` of the spec's `Error` body, when the server sent one. */
  readonly code: string | undefined;
  /** The `details` object of the spec's `Error` body, when the server sent one. */
  readonly details: Record<string, unknown> | undefined;
  /** The `x-request-id` response header: quote it when you contact KrosAI support. */
  readonly requestId: string | undefined;
  /** The response headers, with any credential the server echoed redacted. */
  readonly headers: Headers;
  /** The response body: parsed JSON, or its text when it is not JSON; credentials the server echoed are redacted. */
  readonly body: unknown;

  /** `response` needs only `status` and `headers`; `body` is parsed JSON or text; `scope` hides credentials the server echoed and says where the call went. */
  constructor(message: string, response: Pick<Response, 'status' | 'headers'>, body?: unknown, scope?: ErrorScope) {
    const redact = scope?.redact;
    // The server's text: its credentials hidden, its control characters shown as escapes.
    super(printable(redact ? redact(message) : message), scope);
    this.body = redact ? redactDeep(body, redact) : body;
    const { code, details } = (this.body ?? {}) as ErrorBody;
    this.status = response.status;
    this.code = typeof code === 'string' ? code : undefined;
    this.details = details && typeof details === 'object' ? details : undefined;
    // Headers are the server's text too: a proxy may echo the request's, credential included.
    const headers = new Headers();
    for (const [name, value] of response.headers) headers.append(name, redact ? redact(value) : value);
    this.headers = headers;
    this.requestId = headers.get('x-request-id')?.slice(0, 200) ?? undefined;
  }
}

/** 400: the request was malformed or failed the API's validation; `details` says which field. */
export class KrosBadRequestError extends KrosApiError {
  static override readonly brand: string = 'KrosBadRequestError';
}

/** 401: the API key or JWT is missing, wrong, expired or revoked. */
export class KrosAuthenticationError extends KrosApiError {
  static override readonly brand: string = 'KrosAuthenticationError';
}

/** 403: the credential is valid but may not do this, for example in that organization. */
export class KrosPermissionDeniedError extends KrosApiError {
  static override readonly brand: string = 'KrosPermissionDeniedError';
}

/** 404: no such webhook (or path), or not in this organization. */
export class KrosNotFoundError extends KrosApiError {
  static override readonly brand: string = 'KrosNotFoundError';
}

/** 409: the request conflicts with the webhook's current state. */
export class KrosConflictError extends KrosApiError {
  static override readonly brand: string = 'KrosConflictError';
}

/** 422: the request was understood but its content cannot be processed. */
export class KrosUnprocessableEntityError extends KrosApiError {
  static override readonly brand: string = 'KrosUnprocessableEntityError';
}

/** 429: too many requests, after the SDK's own retries (it waits up to 60 s when asked to). */
export class KrosRateLimitError extends KrosApiError {
  static override readonly brand: string = 'KrosRateLimitError';
  /** Seconds the API asked to wait (`Retry-After`, `retry-after-ms` or the body's `retry_after`). */
  readonly retryAfter: number | undefined;
  /** The `X-RateLimit-Limit`, `-Remaining` and `-Reset` (unix seconds) headers. */
  readonly rateLimit: { limit?: number; remaining?: number; reset?: number };

  constructor(message: string, response: Pick<Response, 'status' | 'headers'>, body?: unknown, scope?: ErrorScope) {
    super(message, response, body, scope);
    const delay = serverDelayMs(response.headers, body);
    this.retryAfter = delay === undefined ? delay : delay / 1000;
    this.rateLimit = {};
    for (const key of ['limit', 'remaining', 'reset'] as const) {
      const value = response.headers.get(`x-ratelimit-${key}`)?.trim();
      // Base-10 digits only: Number() would also read "0x10" as 16 and "" as 0.
      if (value && /^\d+$/.test(value)) this.rateLimit[key] = Number(value);
    }
  }
}

/** 500 or above: the API failed. Idempotent calls were retried before this reached you. */
export class KrosInternalServerError extends KrosApiError {
  static override readonly brand: string = 'KrosInternalServerError';
}

/** A success status whose body is not the JSON the spec describes (empty, truncated, a proxy's HTML), or too large. Not retried. */
export class KrosInvalidResponseError extends KrosApiError {
  static override readonly brand: string = 'KrosInvalidResponseError';
}

/** Why a webhook delivery was refused; see {@link KrosSignatureError}. */
export type SignatureFailureReason =
  | 'missing_signature'
  | 'malformed_signature'
  | 'signature_mismatch'
  | 'timestamp_out_of_tolerance'
  | 'invalid_payload'
  | 'payload_too_large';

/** A delivery failed verification: do not trust it, answer 400. `reason` says why, for logs and metrics. */
export class KrosSignatureError extends KrosError {
  static override readonly brand: string = 'KrosSignatureError';
  /** Why the delivery was refused. */
  readonly reason: SignatureFailureReason;

  constructor(reason: SignatureFailureReason, message: string) {
    super(`${reason}: ${message}`);
    this.reason = reason;
  }
}

/** The spec's `Error` body; Prism and proxies send RFC 9457 problem details instead. */
interface ErrorBody {
  error?: unknown;
  code?: unknown;
  details?: Record<string, unknown>;
  title?: unknown;
  detail?: unknown;
}

/** The typed error for an HTTP error response, given its body as parsed JSON or raw text. */
export function apiErrorFrom(
  response: Pick<Response, 'status' | 'statusText' | 'headers'>,
  body: unknown,
  scope?: ErrorScope,
): KrosApiError {
  const { error, title, detail } = (body ?? {}) as ErrorBody;
  const said = [error, title, detail].filter((part) => part && typeof part === 'string');
  const message = `${response.status} ${said.join(': ') || response.statusText || 'error'}`;
  const { status } = response;
  const ErrorClass = BY_STATUS[status] ?? (status >= 500 ? KrosInternalServerError : KrosApiError);
  return new ErrorClass(message, response, body, scope);
}

const BY_STATUS: Record<number, typeof KrosApiError> = {
  400: KrosBadRequestError,
  401: KrosAuthenticationError,
  403: KrosPermissionDeniedError,
  404: KrosNotFoundError,
  409: KrosConflictError,
  422: KrosUnprocessableEntityError,
  429: KrosRateLimitError,
};
