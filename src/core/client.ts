/** `createKrosClient`: options, environment defaults, and the wiring of the pieces. */
import { createWebhooks, type Webhooks } from '../resources/webhooks.js';
import { type ApiKey, type AuthHeader, credentialFrom } from './auth.js';
import { type ClientContext, operationCaller } from './call.js';
import { KrosValidationError } from './errors.js';
import { checkedHooks, type KrosHooks, type Logger, type LogLevel, leveled, logLevelOf, observers } from './observe.js';
import { createOpenApiClient, type RawClient, rawClient } from './raw-client.js';
import { MAX_RETRIES } from './retry.js';
import type { TracerProviderLike } from './trace.js';
import { assertBaseUrl, assertTimeout, assertUuid, assertWholeNumber, type HeadersInput, headersFrom, readOptions } from './validate.js';

/**
 * Options of {@link createKrosClient}; each has a default, most from the environment.
 *
 * @example
 * ```ts
 * createKrosClient({
 *   apiKey: async () => (await supabase.auth.getSession()).data.session!.access_token, // called before every attempt
 *   authHeader: 'x-api-key',
 *   organizationId: '7c60d51f-b44e-4682-87d6-449835ea4de6',
 *   timeoutMs: 10_000,
 *   maxRetries: 5,
 *   logger: console,
 * });
 * ```
 */
export interface KrosClientOptions {
  /** API key, JWT, or a (possibly async) function returning one. Default: `KROSAI_API_KEY`. */
  apiKey?: ApiKey;
  /** `'authorization'` (default, `Authorization: Bearer <key>`) or `'x-api-key'`. */
  authHeader?: AuthHeader;
  /** Organization UUID sent as `x-organization-id`. Default: `KROSAI_ORGANIZATION_ID`, else the user's first organization. */
  organizationId?: string;
  /** API root, without user name, password, query or fragment. Default: `KROSAI_BASE_URL`, else the production API. */
  baseUrl?: string;
  /** The `fetch` to send with. Default: `globalThis.fetch`, read at each request (so msw and similar tools see it). */
  fetch?: typeof globalThis.fetch;
  /** Headers added to every request; the credential and organization headers have their own options. */
  headers?: HeadersInput;
  /** Milliseconds each attempt may take, from asking for the credential to the end of the body. Default: 60 000. */
  timeoutMs?: number;
  /** How many times a retryable failure is retried, 0 to 10. Default: 2. */
  maxRetries?: number;
  /** The first backoff in ms, doubling up to 8 s, minus up to 25 % jitter; `Retry-After` wins. Default: 500. */
  initialRetryDelayMs?: number;
  /** The most bytes a response body may have, after decompression. Default: 10 MiB. */
  maxResponseBytes?: number;
  /** Receives the lines `logLevel` lets through; never a secret. Default: the console. */
  logger?: Logger;
  /**
   * `debug` adds one line per attempt to `info`'s one per retry; `warn` only problems worth a look.
   * Default: `KROSAI_LOG`, else `info` with your `logger` and `warn` with the console.
   */
  logLevel?: LogLevel;
  /** Functions called on each attempt and retry; see {@link KrosHooks}. */
  hooks?: KrosHooks;
  /**
   * OpenTelemetry's `TracerProvider` for a span per call and per attempt. Default: the provider the
   * app registered with `@opentelemetry/api` 1.x, if any; without one, no spans.
   */
  tracerProvider?: TracerProviderLike;
  /** Lets a `kros_live_` key be used in a browser, where anyone who loads the page can read it. */
  dangerouslyAllowBrowser?: boolean;
  /** Lets `baseUrl` be `http:` for a host other than loopback, which sends the credential in plain text. */
  allowInsecureHttp?: boolean;
}

/** A configured client; create one with {@link createKrosClient}. */
export interface KrosClient {
  /** List, create, get, update, delete and test webhooks. */
  readonly webhooks: Webhooks;
  /** The typed openapi-fetch client for any path of the spec, with the same auth and organization. */
  readonly raw: RawClient;
  /** A client that acts in another organization (a UUID), sharing everything else with this one. */
  withOrganization(organizationId: string): KrosClient;
}

export const DEFAULT_BASE_URL = 'https://api.krosai.com/v1';
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Creates a client for the KrosAI Cockpit API. Throws `KrosValidationError` at once on bad options
 * (no API key, a malformed organization id or base URL) rather than on the first request.
 *
 * @example
 * ```ts
 * import { createKrosClient } from '@krosai/cockpit';
 *
 * const kros = createKrosClient({ apiKey: process.env.KROSAI_API_KEY });
 * const webhook = await kros.webhooks.create({ url: 'https://example.com/hooks', events: ['call.completed'] });
 * ```
 */
export function createKrosClient(options: KrosClientOptions = {}): KrosClient {
  const given = readOptions(options, 'options');
  const env = environment();
  const baseUrl = given.baseUrl ?? env.KROSAI_BASE_URL ?? DEFAULT_BASE_URL;
  assertBaseUrl(baseUrl, 'baseUrl');
  if (!given.allowInsecureHttp && /^http:/i.test(baseUrl) && !/^(localhost|127(\.\d+){3}|\[::1\])$/.test(new URL(baseUrl).hostname)) {
    throw new KrosValidationError(
      'baseUrl: http: sends the API key in plain text; use https:, or set allowInsecureHttp for a trusted network',
    );
  }
  const headers = headersFrom(given.headers, 'headers');
  const credential = credentialFrom(given.apiKey ?? env.KROSAI_API_KEY, given.authHeader ?? 'authorization', given.dangerouslyAllowBrowser);
  if (typeof (given.fetch ?? globalThis.fetch) !== 'function') {
    throw new KrosValidationError('fetch must be a function; this runtime has no global fetch');
  }
  const { timeoutMs = 60_000, maxRetries = 2, initialRetryDelayMs = 500, maxResponseBytes = 10 * 1024 * 1024 } = given;
  const logger = leveled(given.logger ?? console, logLevelOf(given.logLevel, env.KROSAI_LOG, given.logger !== undefined));
  const hooks = observers(checkedHooks(given.hooks), logger);
  assertTimeout(timeoutMs, 'timeoutMs');
  assertWholeNumber(maxRetries, 'maxRetries', 0, MAX_RETRIES);
  assertWholeNumber(initialRetryDelayMs, 'initialRetryDelayMs', 0, MAX_TIMER_MS);
  assertWholeNumber(maxResponseBytes, 'maxResponseBytes', 1, Number.MAX_SAFE_INTEGER);

  const client = createOpenApiClient(baseUrl, headers);
  const transport = { baseUrl, host: new URL(baseUrl).host, fetch: given.fetch, credential };
  function clientFor(organizationId: string | undefined): KrosClient {
    if (organizationId !== undefined) assertUuid(organizationId, 'organizationId');
    const context: ClientContext = {
      transport,
      organizationId,
      timeoutMs,
      maxRetries,
      initialRetryDelayMs,
      maxResponseBytes,
      logger,
      hooks,
      tracerProvider: given.tracerProvider,
    };
    return {
      webhooks: createWebhooks(operationCaller(context, client)),
      raw: rawClient(context, client),
      withOrganization: clientFor,
    };
  }
  return clientFor(given.organizationId ?? env.KROSAI_ORGANIZATION_ID);
}

/** Environment defaults, only where a `process.env` exists (not in browsers or most edge runtimes) and reading it does not throw. */
function environment(): Record<string, string | undefined> {
  try {
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
    // An empty variable means "not set", as in most shells' `VAR= command`.
    return Object.fromEntries(Object.entries(env).filter(([name, value]) => name.startsWith('KROSAI_') && value));
  } catch {
    return {};
  }
}
