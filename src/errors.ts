import { type Redact, redactDeep } from './redact.js';
import { serverDelayMs } from './retry.js';

/**
 * Every error the SDK throws extends {@link KrosError}, so one `instanceof` check catches them all.
 * No error carries the request (its headers hold the credential): only what the server answered.
 */

/**
 * Each class names itself (`krosClass`, a static getter: bundlers drop unused classes with getters,
 * not with static fields or symbol keys). `instanceof` compares these names rather than class
 * identity, so an error thrown by the CommonJS build is an instance of the class imported from the
 * ES module build (one dependency may `require` the SDK while the app imports it).
 */
type Branded = { krosClass?: string };

/** What `toJSON` copies when present: never a header, the request, or the raw body. */
const JSON_FIELDS = ['status', 'code', 'details', 'requestId', 'retryAfter', 'reason'] as const;

/**
 * Base class of every error thrown by `@krosai/cockpit`.
 *
 * @example
 * ```ts
 * try {
 *   await kros.webhooks.list();
 * } catch (error) {
 *   if (error instanceof KrosError) console.error(error.name, error.message);
 * }
 * ```
 */
export class KrosError extends Error {
  /** @internal The class's name in every build: what `instanceof` compares. */
  static get krosClass(): string {
    return 'KrosError';
  }
  /** Hides this call's credentials in `util.inspect` output, which also renders `cause` (the caller's own, unredacted object). */
  readonly #redact: Redact | undefined;

  /** `redact`, when given, is applied to everything `util.inspect` shows of the error. */
  constructor(message?: string, options?: { cause?: unknown; redact?: Redact | undefined }) {
    super(message, options && 'cause' in options ? { cause: options.cause } : undefined);
    this.name = (new.target as Branded).krosClass as string;
    this.#redact = options?.redact;
  }

  /** True when `value`'s class, or one it extends, is this class, in whichever build it was made. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class on the right of instanceof, a subclass included.
    const brand = (this as Branded).krosClass;
    for (let proto = value && Object.getPrototypeOf(value); proto; proto = Object.getPrototypeOf(proto)) {
      if ((proto.constructor as Branded)?.krosClass === brand) return true;
    }
    return false;
  }

  /**
   * What `JSON.stringify` writes: `name`, `message`, and whichever of `status`, `code`, `details`,
   * `requestId`, `retryAfter` and `reason` the error has.
   *
   * @example
   * ```ts
   * logger.error(JSON.stringify(error)); // {"name":"KrosNotFoundError","message":"404 Webhook not found","status":404,...}
   * ```
   */
  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = { name: this.name, message: this.message };
    for (const field of JSON_FIELDS) {
      const value = (this as Record<string, unknown>)[field];
      if (value !== undefined) json[field] = value;
    }
    return json;
  }

  /** @internal Node's `util.inspect`: the usual rendering, with credentials replaced. */
  [Symbol.for('nodejs.util.inspect.custom')](
    _depth: number,
    options: object,
    inspect: (value: unknown, options: object) => string,
  ): string {
    const text = inspect(this, { ...options, customInspect: false });
    return this.#redact ? this.#redact(text) : text;
  }
}

/**
 * Input that the SDK refused before sending anything: a malformed id or URL, an unknown event, a
 * missing API key. Fix the call; retrying will not help.
 *
 * @example
 * ```ts
 * await kros.webhooks.get('not-a-uuid').catch((error) => {
 *   if (error instanceof KrosValidationError) console.error(error.message);
 * });
 * ```
 */
export class KrosValidationError extends KrosError {
  /** @internal */
  static override get krosClass(): string {
    return 'KrosValidationError';
  }
}

/**
 * The request never got an HTTP response: DNS failure, refused or reset connection. `cause` holds
 * the underlying error from `fetch`.
 *
 * @example
 * ```ts
 * await kros.webhooks.list().catch((error) => {
 *   if (error instanceof KrosConnectionError) console.error('API unreachable', error.cause);
 * });
 * ```
 */
export class KrosConnectionError extends KrosError {
  /** @internal */
  static override get krosClass(): string {
    return 'KrosConnectionError';
  }
}

/**
 * Every attempt exceeded `timeoutMs` (from sending the request to the end of the response body).
 * It is a {@link KrosConnectionError}, since no usable response arrived.
 *
 * @example
 * ```ts
 * await kros.webhooks.list({ timeoutMs: 2_000 }).catch((error) => {
 *   if (error instanceof KrosTimeoutError) console.error('the API is slow; try again later');
 * });
 * ```
 */
export class KrosTimeoutError extends KrosConnectionError {
  /** @internal */
  static override get krosClass(): string {
    return 'KrosTimeoutError';
  }
}

/**
 * The API answered with a status outside 2xx (or a redirect, which the SDK never follows), or with
 * a success response that is not the JSON the spec promises. The common statuses have subclasses
 * ({@link KrosNotFoundError}, {@link KrosRateLimitError}…), all `instanceof KrosApiError`; other
 * statuses are a plain `KrosApiError`.
 *
 * @example
 * ```ts
 * try {
 *   await kros.webhooks.get(id);
 * } catch (error) {
 *   if (error instanceof KrosApiError) console.error(error.status, error.code, error.requestId);
 * }
 * ```
 */
export class KrosApiError extends KrosError {
  /** @internal */
  static override get krosClass(): string {
    return 'KrosApiError';
  }
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

  /** `body` is the response body, parsed as JSON when it is JSON; `redact` hides credentials the server echoed. */
  constructor(message: string, response: Response, body?: unknown, redact?: Redact) {
    super(redact ? redact(message) : message, { redact });
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

/**
 * 400: the request was malformed or a field failed the API's validation; `details` says which.
 *
 * @example
 * ```ts
 * await kros.webhooks.get(id).catch((error) => {
 *   if (error instanceof KrosBadRequestError) console.error(error.details);
 * });
 * ```
 */
export class KrosBadRequestError extends KrosApiError {
  /** @internal */
  static override get krosClass(): string {
    return 'KrosBadRequestError';
  }
}

/**
 * 401: the API key or JWT is missing, wrong, expired or revoked.
 *
 * @example
 * ```ts
 * await kros.webhooks.get(id).catch((error) => {
 *   if (error instanceof KrosAuthenticationError) console.error('check KROSAI_API_KEY');
 * });
 * ```
 */
export class KrosAuthenticationError extends KrosApiError {
  /** @internal */
  static override get krosClass(): string {
    return 'KrosAuthenticationError';
  }
}

/**
 * 403: the credential is valid but may not do this, for example in that organization.
 *
 * @example
 * ```ts
 * await kros.webhooks.get(id).catch((error) => {
 *   if (error instanceof KrosPermissionDeniedError) console.error('not allowed in this organization');
 * });
 * ```
 */
export class KrosPermissionDeniedError extends KrosApiError {
  /** @internal */
  static override get krosClass(): string {
    return 'KrosPermissionDeniedError';
  }
}

/**
 * 404: no such webhook (or path), or not in this organization.
 *
 * @example
 * ```ts
 * await kros.webhooks.get(id).catch((error) => {
 *   if (error instanceof KrosNotFoundError) console.error('no such webhook');
 * });
 * ```
 */
export class KrosNotFoundError extends KrosApiError {
  /** @internal */
  static override get krosClass(): string {
    return 'KrosNotFoundError';
  }
}

/**
 * 409: the request conflicts with the webhook's current state.
 *
 * @example
 * ```ts
 * await kros.webhooks.get(id).catch((error) => {
 *   if (error instanceof KrosConflictError) console.error(error.message);
 * });
 * ```
 */
export class KrosConflictError extends KrosApiError {
  /** @internal */
  static override get krosClass(): string {
    return 'KrosConflictError';
  }
}

/**
 * 422: the request was understood but its content cannot be processed.
 *
 * @example
 * ```ts
 * await kros.webhooks.get(id).catch((error) => {
 *   if (error instanceof KrosUnprocessableEntityError) console.error(error.details);
 * });
 * ```
 */
export class KrosUnprocessableEntityError extends KrosApiError {
  /** @internal */
  static override get krosClass(): string {
    return 'KrosUnprocessableEntityError';
  }
}

/**
 * 429: too many requests. Retried automatically (when the wait is at most 60 s) before it reaches you.
 *
 * @example
 * ```ts
 * await kros.webhooks.create(body).catch((error) => {
 *   if (error instanceof KrosRateLimitError) console.error(`retry in ${error.retryAfter} s`, error.rateLimit);
 * });
 * ```
 */
export class KrosRateLimitError extends KrosApiError {
  /** @internal */
  static override get krosClass(): string {
    return 'KrosRateLimitError';
  }
  /** Seconds the API asked to wait (`Retry-After`, `retry-after-ms` or the body's `retry_after`). */
  readonly retryAfter: number | undefined;
  /** The `X-RateLimit-Limit`, `-Remaining` and `-Reset` (unix seconds) headers. */
  readonly rateLimit: {
    /** Requests allowed per window. */
    limit?: number;
    /** Requests left in this window. */
    remaining?: number;
    /** When the window resets, in unix seconds. */
    reset?: number;
  };

  constructor(message: string, response: Response, body?: unknown, redact?: Redact) {
    super(message, response, body, redact);
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

/**
 * 500 or above: the API failed. `get`, `list`, `update` and `delete` were retried before this reached you.
 *
 * @example
 * ```ts
 * await kros.webhooks.list().catch((error) => {
 *   if (error instanceof KrosInternalServerError) console.error(`KrosAI failed; quote ${error.requestId} to support`);
 * });
 * ```
 */
export class KrosInternalServerError extends KrosApiError {
  /** @internal */
  static override get krosClass(): string {
    return 'KrosInternalServerError';
  }
}

/**
 * A success status whose body is not the JSON the spec describes (empty, truncated, HTML from a
 * proxy). Not retried: the request did reach the API.
 *
 * @example
 * ```ts
 * await kros.webhooks.list().catch((error) => {
 *   if (error instanceof KrosInvalidResponseError) console.error('a proxy answered instead of the API', error.headers);
 * });
 * ```
 */
export class KrosInvalidResponseError extends KrosApiError {
  /** @internal */
  static override get krosClass(): string {
    return 'KrosInvalidResponseError';
  }
}

/**
 * Why a webhook delivery was refused; see {@link KrosSignatureError}.
 *
 * @example
 * ```ts
 * const refusals = new Map<SignatureFailureReason, number>();
 * ```
 */
export type SignatureFailureReason =
  | 'missing_signature'
  | 'malformed_signature'
  | 'signature_mismatch'
  | 'timestamp_out_of_tolerance'
  | 'invalid_payload';

/**
 * A webhook delivery failed verification: do not trust it, and answer it with a 400. `reason`
 * says why, for logs and metrics.
 *
 * @example
 * ```ts
 * try {
 *   await verifyWebhook(rawBody, request.headers, secret);
 * } catch (error) {
 *   if (error instanceof KrosSignatureError) console.warn('refused delivery:', error.reason);
 * }
 * ```
 */
export class KrosSignatureError extends KrosError {
  /** @internal */
  static override get krosClass(): string {
    return 'KrosSignatureError';
  }
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
export function apiErrorFrom(response: Response, body: unknown, redact?: Redact): KrosApiError {
  const { error, title, detail } = (body ?? {}) as ErrorBody;
  const said = [error, title, detail].filter((part) => part && typeof part === 'string');
  const message = `${response.status} ${said.join(': ') || response.statusText || 'error'}`;
  const { status } = response;
  const ErrorClass = BY_STATUS[status] ?? (status >= 500 ? KrosInternalServerError : KrosApiError);
  return new ErrorClass(message, response, body, redact);
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
