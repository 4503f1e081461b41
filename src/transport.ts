/**
 * What every request goes through after openapi-fetch has built it: credential and organization
 * headers, a timeout per attempt, a bounded body, no redirects, retries with backoff, and failures
 * turned into typed errors.
 */
import { onAbort } from './abort.js';
import type { Credential } from './auth.js';
import { KrosApiError, KrosConnectionError, KrosError, KrosInvalidResponseError, KrosTimeoutError, KrosValidationError } from './errors.js';
import { type Redact, redactorFor } from './redact.js';
import {
  backoffMs,
  connectionKind,
  errorCode,
  type FailureKind,
  isRetryable,
  MAX_SERVER_DELAY_MS,
  mayHaveActed,
  serverDelayMs,
  sleep,
} from './retry.js';
import { USER_AGENT } from './user-agent.js';

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

/** One call as the facade sets it up; the transport reports back on it. */
export interface Call {
  organizationId?: string | undefined;
  timeoutMs?: number | undefined;
  maxRetries?: number | undefined;
  maxResponseBytes?: number | undefined;
  /** Set by the transport: hides the credentials this call sent, in text the server sent back. */
  redact?: Redact;
  /** Set by the transport when an attempt failed in a way that leaves open whether the API acted on it. */
  mayHaveActed?: boolean;
}

export interface TransportConfig {
  /** The API root every request must stay under: credentials go nowhere else. */
  baseUrl: string;
  fetch: typeof globalThis.fetch;
  credential: Credential;
  organizationId: string | undefined;
  timeoutMs: number;
  maxRetries: number;
  initialRetryDelayMs: number;
  maxResponseBytes: number;
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
    // openapi-fetch hands over a Headers of its own making: no copy needed.
    this.headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers);
    this.body = init.body;
    this.signal = init.signal;
  }
}

export type Send = (request: OutgoingRequest, call?: Call) => Promise<Response>;

const CREDENTIAL_HEADERS = ['authorization', 'x-api-key'];

/** What one attempt needs beyond the request. */
interface Attempt {
  retry: number;
  timeoutMs: number;
  maxResponseBytes: number;
  /** Middleware added with `kros.raw.use()` may set the credential header itself; what it set wins. */
  explicitAuth: boolean;
  /** The credential values sent so far, for `redact`. */
  sent: string[];
  redact: Redact;
}

export function createTransport(config: TransportConfig): Send {
  const root = config.baseUrl.replace(/\/+$/, '');
  return async (request, call = {}) => {
    // openapi-fetch takes a per-call baseUrl; the credential must not follow it elsewhere.
    if (!request.url.startsWith(root) || !/^([/?]|$)/.test(request.url.slice(root.length))) {
      throw new KrosValidationError("a request outside the client's baseUrl: create a client for that API root instead");
    }
    const maxRetries = call.maxRetries ?? config.maxRetries;
    const organizationId = call.organizationId ?? config.organizationId;
    const { headers, signal, method } = request;
    if (organizationId && !headers.has('x-organization-id')) headers.set('x-organization-id', organizationId);
    // A User-Agent the caller set, through headers, wins.
    if (USER_AGENT && !headers.has('user-agent')) headers.set('user-agent', USER_AGENT);
    const explicit = CREDENTIAL_HEADERS.flatMap((name) => headers.get(name) ?? []);
    const sent = explicit.map(withoutScheme);
    call.redact = redactorFor(sent);
    const attempt: Attempt = {
      retry: 0,
      timeoutMs: call.timeoutMs ?? config.timeoutMs,
      maxResponseBytes: call.maxResponseBytes ?? config.maxResponseBytes,
      explicitAuth: explicit.length > 0,
      sent,
      redact: call.redact,
    };

    for (; ; attempt.retry++) {
      let response: Response | undefined;
      let failure: unknown;
      let kind: FailureKind;
      try {
        response = await attemptOnce(config, request, attempt);
        if (response.ok) return response;
        kind = String(response.status);
      } catch (error) {
        failure = error;
        kind = error instanceof KrosTimeoutError ? 'timeout' : error instanceof KrosConnectionError ? connectionKind(error.cause) : '';
      }
      if (attempt.retry >= maxRetries || signal?.aborted || !isRetryable(method, kind)) {
        if (response) return response;
        throw failure;
      }
      call.mayHaveActed ||= mayHaveActed(kind);
      const status = response && `${kind} ${attempt.redact(response.statusText)}`.trim();
      const where = `[@krosai/cockpit] ${method} ${new URL(request.url).pathname}: ${status ?? kind}`;
      const asked = response && serverDelayMs(response.headers, kind === '429' ? await response.json().catch(() => undefined) : undefined);
      if (asked !== undefined && asked > MAX_SERVER_DELAY_MS) {
        config.logger.warn?.(`${where}; the API asks to wait ${Math.ceil(asked / 1000)} s, longer than 60 s: not retrying`);
        return response as Response;
      }
      const delay = asked ?? backoffMs(attempt.retry + 1, config.initialRetryDelayMs);
      config.logger.info?.(`${where}; retry ${attempt.retry + 1} of ${maxRetries} in ${Math.round(delay)} ms`);
      await sleep(delay, signal);
    }
  };
}

/** `Bearer <token>` → `<token>`: what a server or a fetch error might echo on its own. */
function withoutScheme(value: string): string {
  return value.replace(/^Bearer\s+/i, '');
}

/**
 * One exchange within `timeoutMs`: the credential (a token function may be slow), the request and
 * the whole body. The attempt races its own timer, so a `fetch` that ignores the signal cannot hang
 * it; reading the body here means a stalled body times out and a reset mid-body can be retried.
 * The caller's abort rejects with its reason.
 */
async function attemptOnce(config: TransportConfig, request: OutgoingRequest, attempt: Attempt): Promise<Response> {
  const { url, init, headers, body, signal: callerSignal } = request;
  const controller = new AbortController();
  // Settles only when the attempt is stopped; nothing else refers to it once the attempt is over,
  // so the promises raced against it are freed with the attempt.
  let reject: (reason: unknown) => void = () => {};
  const stopped = new Promise<never>((_, rejectStopped) => {
    reject = rejectStopped;
  });
  stopped.catch(() => {});
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const stop = (reason: unknown) => {
    controller.abort(reason);
    reject(reason);
    // Also for a fetch that ignores the signal: a pending read then ends at once.
    reader?.cancel(reason).catch(() => {});
  };
  const timer = setTimeout(() => stop(new KrosTimeoutError(`the request timed out after ${attempt.timeoutMs} ms`)), attempt.timeoutMs);
  const stopFollowing = onAbort(callerSignal, () => stop(callerSignal?.reason));
  let sending: Promise<Response> | undefined;
  try {
    if (!attempt.explicitAuth) {
      const credential = config.credential(attempt.retry);
      // A fixed key is there at once: no wait, and no race to set up.
      const [name, value] = credential instanceof Promise ? await Promise.race([credential, stopped]) : credential;
      headers.set(name, value);
      const secret = withoutScheme(value);
      if (!attempt.sent.includes(secret)) attempt.sent.push(secret);
    }
    // Called as a plain function: browsers and workerd refuse a fetch called as some object's method.
    const { fetch } = config;
    sending = fetch(url, { ...init, headers, body, redirect: 'manual', signal: controller.signal });
    const response = await Promise.race([sending, stopped]);
    if (response.type === 'opaqueredirect' || response.redirected || (response.status >= 300 && response.status < 400)) {
      response.body?.cancel().catch(() => {});
      throw refusedRedirect(response, url, attempt.redact);
    }
    reader = response.body?.getReader();
    const bytes = await readWithin(response, reader, attempt);
    controller.signal.throwIfAborted();
    return servedFromMemory(response, bytes);
  } catch (error) {
    if (!controller.signal.aborted) throw asKrosError(error, undefined, attempt.redact);
    // A fetch that ignores the signal may still answer after the attempt gave up: free its connection.
    sending?.then((late) => late.body?.cancel()).catch(() => {});
    throw callerSignal?.aborted ? callerSignal.reason : controller.signal.reason;
  } finally {
    clearTimeout(timer);
    stopFollowing();
  }
}

/**
 * Credentials go only to the API's origin, so no redirect is followed (the API never sends one):
 * fetch would re-send `x-api-key` and `x-organization-id` to wherever a 307 points.
 */
function refusedRedirect(response: Response, requestUrl: string, redact: Redact): KrosApiError {
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
  return new KrosApiError(message, response, undefined, redact);
}

/**
 * The body, read within the attempt, at most `maxResponseBytes` of it (counted after
 * decompression, as the reader sees it). Small chunks are packed into 64 KiB blocks: keeping each
 * of a million one-byte chunks would cost far more than their bytes.
 */
async function readWithin(
  response: Response,
  reader: ReadableStreamDefaultReader<Uint8Array> | undefined,
  { maxResponseBytes, redact }: Attempt,
): Promise<Uint8Array<ArrayBuffer>> {
  const tooLarge = () =>
    new KrosInvalidResponseError(
      `${response.status} response body is over maxResponseBytes (${maxResponseBytes} bytes); the SDK stopped reading it`,
      response,
      undefined,
      redact,
    );
  const parts: Uint8Array<ArrayBuffer>[] = [];
  let block: Uint8Array<ArrayBuffer> | undefined;
  let blockUsed = 0;
  let size = 0;
  try {
    if (!response.headers.has('content-encoding') && Number(response.headers.get('content-length')) > maxResponseBytes) throw tooLarge();
    for (let chunk = await reader?.read(); chunk && !chunk.done; chunk = await reader?.read()) {
      const value = chunk.value as Uint8Array<ArrayBuffer>;
      size += value.byteLength;
      if (size > maxResponseBytes) throw tooLarge();
      if (parts.length === 0 || value.byteLength >= BLOCK_BYTES) {
        // The first chunk (most bodies have no other) and large ones are kept as they are.
        if (block) parts.push(block.subarray(0, blockUsed));
        block = undefined;
        parts.push(value);
      } else {
        if (!block || blockUsed + value.byteLength > BLOCK_BYTES) {
          if (block) parts.push(block.subarray(0, blockUsed));
          block = new Uint8Array(BLOCK_BYTES);
          blockUsed = 0;
        }
        block.set(value, blockUsed);
        blockUsed += value.byteLength;
      }
    }
  } catch (error) {
    reader?.cancel().catch(() => {});
    throw error;
  }
  if (block) parts.push(block.subarray(0, blockUsed));
  return parts.length === 1 ? (parts[0] as Uint8Array<ArrayBuffer>) : concat(parts, size);
}

const BLOCK_BYTES = 65_536;

function concat(parts: Uint8Array<ArrayBuffer>[], size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return bytes;
}

/**
 * The same `Response` object, its body methods answering from `bytes`, as often as they are called
 * (so `clone()` is the response itself).
 */
function servedFromMemory(response: Response, bytes: Uint8Array<ArrayBuffer>): Response {
  const parent = Object.getPrototypeOf(response) as object;
  let prototype = servedPrototypes.get(parent);
  if (!prototype) {
    prototype = Object.create(parent, Object.getOwnPropertyDescriptors(fromMemory)) as object;
    servedPrototypes.set(parent, prototype);
  }
  (response as ServedResponse)[SERVED] = { bytes };
  Object.setPrototypeOf(response, prototype);
  // A response-like object from a custom fetch may hold its body and methods as its own properties,
  // which would hide the prototype's (a real Response has none: this costs it no hidden class).
  for (const name of SERVED_NAMES) {
    if (Object.hasOwn(response, name))
      Object.defineProperty(response, name, Object.getOwnPropertyDescriptor(prototype, name) as PropertyDescriptor);
  }
  return response;
}

const SERVED = Symbol('served');
type ServedResponse = Response & { [SERVED]: { bytes: Uint8Array<ArrayBuffer>; text?: string; stream?: ReadableStream<Uint8Array> } };

/**
 * One prototype per Response class (a custom fetch may bring its own), placed between a response
 * and its class. Body methods defined on each response instead gave every response a hidden class
 * of its own, and the garbage collector four times the work (bench/RESULTS.md).
 */
const servedPrototypes = new WeakMap<object, object>();

const fromMemory: ThisType<ServedResponse> & object = {
  get bodyUsed() {
    return false;
  },
  get body() {
    const served = this[SERVED];
    served.stream ??= new ReadableStream({
      start(controller) {
        if (served.bytes.byteLength) controller.enqueue(served.bytes.slice());
        controller.close();
      },
    });
    return served.stream;
  },
  async text() {
    const served = this[SERVED];
    served.text ??= decoder.decode(served.bytes);
    return served.text;
  },
  async json() {
    return JSON.parse(await this.text());
  },
  async arrayBuffer() {
    return this[SERVED].bytes.slice().buffer;
  },
  async bytes() {
    return this[SERVED].bytes.slice();
  },
  async blob() {
    return new Blob([this[SERVED].bytes], { type: this.headers.get('content-type') ?? '' });
  },
  clone() {
    return this;
  },
};

/** The names a response-like object from a custom fetch may hold as its own properties. */
const SERVED_NAMES = Object.keys(fromMemory);

const decoder = new TextDecoder();

/** A failure while sending or reading: the caller's abort stays recognisable as such. */
export function asKrosError(error: unknown, signal: AbortSignal | null | undefined, redact: Redact): unknown {
  if (error instanceof KrosError) return error;
  if (signal?.aborted) return signal.reason;
  // undici says only "fetch failed"; the reason (ECONNREFUSED, a reset socket) is in its cause.
  const reason = errorCode(error) || String((error as Error)?.message ?? error);
  return new KrosConnectionError(`could not reach the KrosAI API: ${redact(reason)}`, { cause: error, redact });
}
