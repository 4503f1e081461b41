/**
 * OpenTelemetry spans without importing `@opentelemetry/api`: its providers register on
 * `globalThis` under a symbol of its major version, and spans, tracers and contexts are plain
 * interfaces. So no bundle, build or runtime needs the package, and an app that set up tracing
 * gets spans with nothing to configure.
 */
import type { ClientContext } from './call.js';
import { SDK_VERSION } from './user-agent.js';

/** Where `@opentelemetry/api` 1.x keeps what the app registered, and the context key of the active span. */
const API = Symbol.for('opentelemetry.js.api.1');
const SPAN = Symbol.for('OpenTelemetry Context Key SPAN');

interface Context {
  getValue(key: symbol): unknown;
  setValue(key: symbol, value: unknown): Context;
}

interface Registered {
  trace?: TracerProviderLike;
  context?: { active(): Context; with<T>(context: Context, run: () => T): T };
}

/** The part of an OpenTelemetry span the client uses. */
export interface SpanLike {
  /** The ids the `traceparent` header carries. */
  spanContext(): { traceId: string; spanId: string; traceFlags: number };
  /** Sets one semantic-convention attribute. */
  setAttribute(key: string, value: string | number | string[]): unknown;
  /** Marks the span failed (code 2). */
  setStatus(status: { code: number }): unknown;
  /** Ends the span. */
  end(): void;
}

/** The part of OpenTelemetry's `TracerProvider` the client uses: pass the SDK's provider as it is. */
export interface TracerProviderLike {
  /** The tracer named `@krosai/cockpit`. */
  getTracer(
    name: string,
    version?: string,
  ): {
    /** Starts a span under `context`. */
    startSpan(name: string, options?: { kind?: number; attributes?: Record<string, string | number> }, context?: unknown): SpanLike;
  };
}

/** A call's span, and how to start the span of each of its attempts. */
export interface CallTrace {
  attempt(retry: number): AttemptTrace;
  end(failure?: unknown): void;
}

/** One attempt's span: the header that carries it, the attempt run in its context, and its end. */
export interface AttemptTrace {
  traceparent: string;
  run<T>(attempt: () => Promise<T>): Promise<T>;
  end(response: Response | undefined, failure: unknown, requestId: string | undefined): void;
}

/** The span of a call, from the `tracerProvider` option or the one the app registered; undefined without either. */
export function traceCall(context: ClientContext, name: string, method: string, urlTemplate: string): CallTrace | undefined {
  const registered = (globalThis as { [API]?: Registered })[API];
  const tracer = (context.tracerProvider ?? registered?.trace)?.getTracer('@krosai/cockpit', SDK_VERSION);
  if (!tracer) return undefined;
  const manager = registered?.context;
  // Without a context manager, a context that holds only the span: all the SDK's tracer reads.
  const within = (span: SpanLike, parent = manager?.active()) =>
    parent ? parent.setValue(SPAN, span) : ({ getValue: (key: symbol) => (key === SPAN ? span : undefined) } as Context);
  const call = tracer.startSpan(`kros.${name}`, {}, manager?.active());
  const url = new URL(context.transport.baseUrl);
  const attributes = {
    'http.request.method': method,
    'url.template': urlTemplate,
    'server.address': url.hostname,
    // baseUrl is http: or https: (checked), and 'https:' sorts after 'http:'.
    'server.port': Number(url.port) || (url.protocol > 'http:' ? 443 : 80),
  };
  return {
    attempt(retry) {
      const span = tracer.startSpan(`${method} ${urlTemplate}`, { kind: 2, attributes }, within(call));
      if (retry) span.setAttribute('http.request.resend_count', retry);
      const { traceId, spanId, traceFlags } = span.spanContext();
      return {
        // A no-op tracer's all-zero ids make a traceparent the server ignores, as W3C says.
        traceparent: `00-${traceId}-${spanId}-0${traceFlags & 1}`,
        run: (attempt) => (manager ? manager.with(within(span), attempt) : attempt()),
        end(response, failure, requestId) {
          if (response) span.setAttribute('http.response.status_code', response.status);
          if (requestId) span.setAttribute('http.response.header.x-request-id', [requestId]);
          failed(span, response?.ok === false ? response : failure);
        },
      };
    },
    end: (failure) => failed(call, failure),
  };
}

/** `call`, whose settling ends `trace`'s span: failed when it rejects. */
export function spanned<T>(trace: CallTrace | undefined, call: Promise<T>): Promise<T> {
  if (trace) call.then(() => trace.end(), trace.end);
  return call;
}

/** Marks `span` failed when there is a failure (a status of 400 or more, or an error), and ends it. */
function failed(span: SpanLike, failure: unknown): void {
  if (failure) {
    const { status, name } = failure as { status?: number; name?: string };
    span.setAttribute('error.type', `${status ?? name ?? '_OTHER'}`);
    span.setStatus({ code: 2 });
  }
  span.end();
}
