/**
 * The receiving framework: verify, deduplicate across instances, dispatch by event, and answer with
 * the status that makes KrosAI retry exactly when it should (2xx done, 4xx never valid, 5xx retry).
 */
import { KrosSignatureError, KrosTimeoutError, KrosValidationError } from '../core/errors.js';
import {
  assertSignatureHeader,
  type RawBody,
  readBody,
  type SignatureSource,
  type VerifyOptions,
  verifyWebhook,
  type WebhookDelivery,
} from '../verify/verify.js';
import type { KrosEventHandlers, KrosEventMap } from './events.js';
import type { DeliveryStore } from './stores/store.js';

/**
 * Options of {@link createWebhookHandler}.
 *
 * @example
 * ```ts
 * const options: WebhookHandlerOptions = { secret: [current, previous], store: memoryStore(), on: {} };
 * ```
 */
export interface WebhookHandlerOptions<Events = KrosEventMap> extends Omit<VerifyOptions, 'now' | 'signal'> {
  /**
   * The webhook's signing secret, or `[current, previous]` while rotating. Missing or empty, every
   * delivery is answered 500 (so that KrosAI retries once it is set) and reported to `onError`.
   */
  secret: string | readonly string[] | undefined;
  /** Where handled deliveries are recorded, for exactly-once handling; without one, a retried delivery runs again. */
  store?: DeliveryStore;
  /** A handler per event name; `delivery.data` is typed by {@link KrosEventMap}. */
  on?: KrosEventHandlers<Events>;
  /** Runs for every verified delivery, after its event's handler. */
  onAny?: (delivery: WebhookDelivery) => unknown;
  /** An event with no handler in `on`: acknowledged with a 2xx (the default), or passed to this function. */
  onUnknownEvent?: 'acknowledge' | ((delivery: WebhookDelivery) => unknown);
  /** Sees every failure answered with a 5xx (misconfiguration, a handler or the store that threw). Default: `console.error`. */
  onError?: (error: unknown, delivery: WebhookDelivery | undefined) => void;
  /**
   * The platform's `waitUntil` (Vercel's, or a Worker's `ctx.waitUntil` per call): answers 202 before
   * the handlers finish. KrosAI does not retry what failed after that answer: it reaches `onError` only.
   */
  waitUntil?: (promise: Promise<unknown>) => void;
  /** How long a claim on a delivery holds before another instance may run it; longer than the slowest handler. Default: 60 000. */
  leaseMs?: number;
  /** How long a handled delivery's id is kept. Default: 3 h, KrosAI's retry window. */
  keepMs?: number;
}

/** What a delivery gets back: a status and a small JSON body, never a secret or a stack. */
export interface HandlerResponse {
  status: number;
  body: string;
}

/** A raw request, as any framework gives it: the body exactly as received, and its headers. */
export interface RawDelivery {
  /** The raw body: a string or bytes. A parsed object is a misconfiguration, answered 500. */
  body: unknown;
  /** The request's headers: Fetch `Headers` or a plain object, names in any case. */
  headers: Exclude<SignatureSource, string>;
}

/** Per request: the platform's `waitUntil` when it comes with the request (a Worker's `ctx`). */
export interface HandlerContext {
  /** Answers 202 before the handlers finish; see {@link WebhookHandlerOptions.waitUntil}. */
  waitUntil?: (promise: Promise<unknown>) => void;
}

/** What `handler.node` needs of a node:http request (Express's included). */
export interface NodeRequest {
  method?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  /** Set by a body parser that ran first: bytes or text are used, a parsed object is a misconfiguration. */
  body?: unknown;
  /** The raw bytes a body parser kept (`express.json({ verify })`, NestJS `rawBody: true`). */
  rawBody?: unknown;
  /** True once a parser consumed the stream. */
  readableEnded?: boolean;
  /** A chunk of the body. */
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  /** The body is complete. */
  on(event: 'end', listener: () => void): unknown;
  /** The client went away mid-body. */
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** Stops the flow while the reader is full or done. */
  pause(): unknown;
  /** Lets the body flow. */
  resume(): unknown;
}

/** What `handler.node` needs of a node:http response (Express's included). */
export interface NodeResponse {
  /** Sends the status and headers. */
  writeHead(status: number, headers: Record<string, string>): unknown;
  /** Sends the JSON body and ends the answer. */
  end(body: string): unknown;
}

/** A webhook receiver: the same handling behind three doors. */
export interface WebhookHandler {
  /**
   * The core, for any framework: takes the raw body and headers, answers with a status and body.
   *
   * @example
   * ```ts
   * const { status, body } = await handler.handle({ body: rawBody, headers });
   * ```
   */
  handle(delivery: RawDelivery, context?: HandlerContext): Promise<HandlerResponse>;
  /**
   * A Fetch API handler: Next.js route handlers, Hono, Workers, Deno, Bun.
   *
   * @example
   * ```ts
   * export const POST = (request: Request) => handler.fetch(request);
   * ```
   */
  fetch(request: Request, context?: HandlerContext): Promise<Response>;
  /**
   * A node:http handler, also Express middleware, mounted before or after a body parser.
   *
   * @example
   * ```ts
   * createServer(handler.node).listen(3000);
   * ```
   */
  node(request: NodeRequest, response: NodeResponse): Promise<void>;
  /** The largest body read, for adapters that read it themselves. */
  readonly maxBodyBytes: number;
}

const PARSED_BODY =
  'the body was parsed before the handler saw it, but the signature covers the raw bytes. Express: mount the handler ' +
  'before express.json(), or keep req.rawBody with express.json({ verify }); Fastify: @krosai/cockpit/webhooks/fastify; ' +
  'Next.js: handler.fetch in a route handler (pages/api: bodyParser: false); Lambda: @krosai/cockpit/webhooks/lambda, the event unchanged';

const JSON_HEADERS = { 'content-type': 'application/json' };

/**
 * Creates a webhook receiver: it verifies each delivery, runs its event's handler once across every
 * instance that shares `store`, and answers so that KrosAI retries what failed: 2xx for a handled,
 * duplicate or unknown event; 400 for an untrustworthy one; 413 over `maxBodyBytes`; 409 while
 * another instance runs it; 500 for a misconfiguration or a handler that threw.
 *
 * @example
 * ```ts
 * import { createWebhookHandler, memoryStore } from '@krosai/cockpit/webhooks';
 *
 * const handler = createWebhookHandler({
 *   secret: process.env.KROSAI_WEBHOOK_SECRET,
 *   store: memoryStore(),
 *   on: { 'call.completed': async (delivery) => saveCall(delivery.data) },
 * });
 * export const POST = (request: Request) => handler.fetch(request);
 * ```
 */
export function createWebhookHandler<Events = KrosEventMap>(options: WebhookHandlerOptions<NoInfer<Events>>): WebhookHandler {
  if (!options || typeof options !== 'object') throw new KrosValidationError('options must be an object');
  const { secret, store, on, onAny, onUnknownEvent = 'acknowledge', onError, leaseMs = 60_000, keepMs = 10_800_000 } = options;
  const handlers = new Map<string, (delivery: WebhookDelivery) => unknown>();
  for (const [event, handler] of Object.entries(on ?? {})) handlers.set(event, expectFunction(`on['${event}']`, handler));
  expectFunction('onAny', onAny, true);
  expectFunction('onError', onError, true);
  const unknownEvent =
    onUnknownEvent === 'acknowledge' ? undefined : expectFunction("onUnknownEvent ('acknowledge' or a function)", onUnknownEvent);
  if (store && !['claim', 'complete', 'release'].every((method) => typeof (store as never)[method] === 'function')) {
    throw new KrosValidationError('store must have claim, complete and release methods');
  }
  for (const [name, value] of Object.entries({
    leaseMs,
    keepMs,
    maxBodyBytes: options.maxBodyBytes ?? 1,
    timeoutMs: options.timeoutMs ?? 1,
  })) {
    if (!(Number.isSafeInteger(value) && value > 0)) throw new KrosValidationError(`${name} must be a positive whole number`);
  }
  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576;
  const verifyOptions: VerifyOptions = { maxBodyBytes, toleranceSeconds: options.toleranceSeconds, timeoutMs: options.timeoutMs };
  const secrets = ([] as unknown[]).concat(secret);
  // Checked per delivery, not here: a service started without its secret answers 500 and gets paged, KrosAI keeps retrying.
  const secretMissing = !secrets.length || secrets.some((value) => typeof value !== 'string' || !value);

  const report = (error: unknown, delivery?: WebhookDelivery) => {
    try {
      if (onError) onError(error, delivery);
      else console.error(`@krosai/cockpit: delivery ${delivery?.id} failed:`, error);
    } catch {}
  };
  const answer = (status: number, json: object): HandlerResponse => ({ status, body: JSON.stringify(json) });
  const misconfigured = (message: string) => {
    report(new KrosValidationError(message));
    return answer(500, { error: 'misconfigured', message });
  };
  /** A failure before the handlers ran: the sender's fault (4xx), or ours (500). */
  const refuse = (error: unknown): HandlerResponse => {
    if (error instanceof KrosSignatureError) {
      return answer(error.reason === 'payload_too_large' ? 413 : 400, { error: error.reason, message: error.message });
    }
    if (error instanceof KrosTimeoutError) return answer(408, { error: 'timeout' });
    if (error instanceof KrosValidationError) return misconfigured(error.message);
    // The client went away mid-body: nobody reads this answer.
    return answer(400, { error: 'unreadable_body' });
  };

  async function dispatch(delivery: WebhookDelivery, context: HandlerContext | undefined): Promise<HandlerResponse> {
    // An own entry only: an event named "constructor" must not reach Object.prototype.
    const handler = handlers.get(delivery.event) ?? unknownEvent;
    if (!handler && !onAny) return answer(200, { status: 'ignored' });
    try {
      const claim = await store?.claim(delivery.id, leaseMs);
      if (claim === 'done') return answer(200, { status: 'duplicate' });
      // Not a 2xx: if the instance running it fails, KrosAI's next retry must still come.
      if (claim === 'busy') return answer(409, { error: 'in_progress' });
      if (store && claim !== 'claimed') throw new KrosValidationError(`store.claim answered ${String(claim).slice(0, 20)}`);
    } catch (error) {
      report(error, delivery);
      return answer(500, { error: 'store_failed' });
    }
    const settled = (async () => {
      try {
        await handler?.(delivery);
        await onAny?.(delivery);
      } catch (error) {
        await store?.release(delivery.id).catch((releaseError) => report(releaseError, delivery));
        throw error;
      }
      // Handled, even if recording it fails: a retry would only run it again.
      await store?.complete(delivery.id, keepMs).catch((completeError) => report(completeError, delivery));
    })();
    const waitUntil = context?.waitUntil ? (promise: Promise<unknown>) => context.waitUntil?.(promise) : options.waitUntil;
    if (waitUntil) {
      waitUntil(settled.catch((error) => report(error, delivery)));
      return answer(202, { status: 'accepted' });
    }
    try {
      await settled;
      return answer(200, { status: 'handled' });
    } catch (error) {
      report(error, delivery);
      return answer(500, { error: 'handler_failed' });
    }
  }

  async function handle({ body, headers }: RawDelivery, context?: HandlerContext): Promise<HandlerResponse> {
    if (secretMissing) return misconfigured("no signing secret: set KROSAI_WEBHOOK_SECRET to the webhook's secret");
    if (!isRawBody(body)) return misconfigured(PARSED_BODY);
    let delivery: WebhookDelivery;
    try {
      delivery = await verifyWebhook(body, headers, secrets as string[], verifyOptions);
    } catch (error) {
      return refuse(error);
    }
    return dispatch(delivery, context);
  }

  /** Refuses an unsigned delivery before reading its body, then reads it within the limits. */
  async function receive(headers: RawDelivery['headers'], read: () => Promise<unknown>, context?: HandlerContext) {
    try {
      if (!secretMissing) assertSignatureHeader(headers);
      return await handle({ body: await read(), headers }, context);
    } catch (error) {
      return refuse(error);
    }
  }
  const notPost = answer(405, { error: 'method_not_allowed' });
  const headersFor = (status: number) => ({
    ...JSON_HEADERS,
    ...(status === 405 ? { allow: 'POST' } : {}),
    // Past a refusal, the unread rest of a body would poison a kept-alive connection.
    ...(status === 400 || status === 408 || status === 413 ? { connection: 'close' } : {}),
  });

  return {
    maxBodyBytes,
    handle,
    async fetch(request, context) {
      const { status, body } =
        request.method !== 'POST'
          ? notPost
          : await receive(
              request.headers,
              async () => {
                if (request.bodyUsed || request.body?.locked) throw new KrosValidationError(PARSED_BODY);
                return readBody(request.body, request.headers.get('content-length'), verifyOptions);
              },
              context,
            );
      return new Response(body, { status, headers: headersFor(status) });
    },
    async node(request, response) {
      const { status, body } =
        request.method !== 'POST'
          ? notPost
          : await receive(request.headers, async () => {
              // A body parser that ran first left the bytes, or a parsed object (answered 500), or nothing.
              for (const kept of [request.rawBody, request.body]) if (isRawBody(kept)) return kept;
              if (request.readableEnded) return request.body ?? {};
              return readBody(nodeStream(request), request.headers['content-length'] as string | undefined, verifyOptions);
            });
      try {
        response.writeHead(status, headersFor(status));
        response.end(body);
      } catch {}
    },
  };
}

const isRawBody = (body: unknown): body is RawBody =>
  typeof body === 'string' || ArrayBuffer.isView(body) || /ArrayBuffer\]$/.test(Object.prototype.toString.call(body));

/** The request's body as a web stream, without node:stream (this entry runs in browsers and Workers too). */
function nodeStream(request: NodeRequest): ReadableStream<Uint8Array> {
  let open = true;
  return new ReadableStream({
    start(controller) {
      const settle = (finish: () => void) => {
        if (!open) return;
        open = false;
        finish();
      };
      request.on('data', (chunk) => {
        if (!open) return;
        controller.enqueue(chunk);
        if ((controller.desiredSize ?? 1) <= 0) request.pause();
      });
      request.on('end', () => settle(() => controller.close()));
      request.on('error', (error) => settle(() => controller.error(error)));
    },
    pull: () => void request.resume(),
    // Stops reading; the connection is closed once answered.
    cancel: () => {
      open = false;
      request.pause();
    },
  });
}

function expectFunction<T>(name: string, value: T, optional = false): T {
  if (typeof value === 'function' || (optional && value === undefined)) return value;
  throw new KrosValidationError(`${name} must be a function`);
}
