/**
 * `createKrosClient`: options, environment defaults, and the wiring of credential, transport, the
 * generated client and the webhooks resource.
 */
import { createWebhooks, type Webhooks } from '../resources/webhooks.js';
import { type ApiKey, type AuthHeader, credentialFrom } from './auth.js';
import { type ClientContext, type Logger, operationCaller } from './call.js';
import { KrosValidationError } from './errors.js';
import { createOpenApiClient, type RawClient, rawClient } from './raw-client.js';
import { MAX_RETRIES } from './retry.js';
import { assertBaseUrl, assertTimeout, assertUuid, assertWholeNumber, type HeadersInput, headersFrom, readOptions } from './validate.js';

/**
 * Options of {@link createKrosClient}; each has a default, most from the environment.
 *
 * @example
 * ```ts
 * const options: KrosClientOptions = { apiKey: process.env.KROSAI_API_KEY, timeoutMs: 10_000 };
 * ```
 */
export interface KrosClientOptions {
  /**
   * API key, JWT, or a (possibly async) function returning one, called before every request.
   * Default: the `KROSAI_API_KEY` environment variable.
   *
   * @example
   * ```ts
   * createKrosClient({ apiKey: async () => (await supabase.auth.getSession()).data.session!.access_token });
   * ```
   */
  apiKey?: ApiKey;
  /**
   * How the credential is sent: `'authorization'` (default, `Authorization: Bearer <key>`) or
   * `'x-api-key'`.
   *
   * @example
   * ```ts
   * createKrosClient({ apiKey, authHeader: 'x-api-key' });
   * ```
   */
  authHeader?: AuthHeader;
  /**
   * Organization UUID sent as `x-organization-id`; without it the API uses the user's first
   * organization. Default: the `KROSAI_ORGANIZATION_ID` environment variable.
   *
   * @example
   * ```ts
   * createKrosClient({ apiKey, organizationId: '7c60d51f-b44e-4682-87d6-449835ea4de6' });
   * ```
   */
  organizationId?: string;
  /**
   * API root. Default: the `KROSAI_BASE_URL` environment variable, else `https://api.krosai.com/v1`.
   * It may not carry a user name, password, query or fragment. Credentials are sent only here:
   * redirects are never followed.
   *
   * @example
   * ```ts
   * createKrosClient({ apiKey, baseUrl: 'http://127.0.0.1:4010' });
   * ```
   */
  baseUrl?: string;
  /**
   * The `fetch` to send requests with. Default: `globalThis.fetch`. The SDK asks it not to follow
   * redirects (`redirect: 'manual'`) and refuses an answer it got by following one anyway.
   *
   * @example
   * ```ts
   * createKrosClient({ apiKey, fetch: (input, init) => fetch(input, init) });
   * ```
   */
  fetch?: typeof globalThis.fetch;
  /**
   * Headers added to every request: a plain object, a `Headers`, or `[name, value]` pairs. The
   * credential and organization headers are refused here (they have their own options).
   *
   * @example
   * ```ts
   * createKrosClient({ apiKey, headers: { 'x-team': 'billing' } });
   * ```
   */
  headers?: HeadersInput;
  /**
   * Milliseconds each attempt may take (a whole number), from asking a token function for the
   * credential to the end of the response body; past it the attempt is aborted (and retried if
   * safe). Default: 60 000.
   *
   * @example
   * ```ts
   * createKrosClient({ apiKey, timeoutMs: 10_000 });
   * ```
   */
  timeoutMs?: number;
  /**
   * How many times a failed request is retried (see "Retries" in the README for which failures
   * are), from 0 to 10. Default: 2.
   *
   * @example
   * ```ts
   * createKrosClient({ apiKey, maxRetries: 5 });
   * ```
   */
  maxRetries?: number;
  /**
   * The first backoff wait in ms; it doubles with each retry, up to 8 s, minus up to 25% jitter.
   * A wait the API asks for (`Retry-After`) takes precedence. Default: 500.
   *
   * @example
   * ```ts
   * createKrosClient({ apiKey, initialRetryDelayMs: 100 });
   * ```
   */
  initialRetryDelayMs?: number;
  /**
   * The most bytes a response body may have, counted after decompression; past it the SDK stops
   * reading and the call rejects with `KrosInvalidResponseError`. Default: 10 MiB (10 485 760), about
   * 10 000 webhooks in one list.
   *
   * @example
   * ```ts
   * createKrosClient({ apiKey, maxResponseBytes: 1_048_576 });
   * ```
   */
  maxResponseBytes?: number;
  /**
   * Receives one `info` line per retry and `warn` lines for problems worth a look; never a secret.
   * Default: warnings to `console.warn`, nothing else.
   *
   * @example
   * ```ts
   * createKrosClient({ apiKey, logger: console });
   * ```
   */
  logger?: Logger;
  /**
   * Lets a `kros_live_` key be used in a browser page, where anyone who loads the page can read it.
   * Without it such a key is refused there; JWTs and `kros_test_` keys need no such permission.
   *
   * @example
   * ```ts
   * createKrosClient({ apiKey: internalToolKey, dangerouslyAllowBrowser: true }); // an internal, access-controlled tool
   * ```
   */
  dangerouslyAllowBrowser?: boolean;
}

/**
 * A configured client; create one with {@link createKrosClient}.
 *
 * @example
 * ```ts
 * const kros: KrosClient = createKrosClient();
 * const webhooks = await kros.webhooks.list();
 * ```
 */
export interface KrosClient {
  /** List, create, get, update, delete and test webhooks. */
  readonly webhooks: Webhooks;
  /** The typed openapi-fetch client for any path of the spec, with the same auth and organization. */
  readonly raw: RawClient;
  /**
   * A client that acts in another organization, sharing everything else with this one.
   *
   * @example
   * ```ts
   * const other = kros.withOrganization('7c60d51f-b44e-4682-87d6-449835ea4de6');
   * await other.webhooks.list();
   * ```
   */
  withOrganization(organizationId: string): KrosClient;
}

export const DEFAULT_BASE_URL = 'https://api.krosai.com/v1';
const MAX_TIMER_MS = 2 ** 31 - 1;

const WARNINGS_TO_CONSOLE: Logger = { warn: (message) => console.warn(message) };

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
  // A checked copy: a later change to the caller's object must not reach requests unchecked.
  const headers = headersFrom(given.headers, 'headers');
  const credential = credentialFrom(given.apiKey ?? env.KROSAI_API_KEY, given.authHeader ?? 'authorization', given.dangerouslyAllowBrowser);
  const fetch = given.fetch ?? globalThis.fetch;
  if (typeof fetch !== 'function') throw new KrosValidationError('fetch must be a function; this runtime has no global fetch');
  const {
    timeoutMs = 60_000,
    maxRetries = 2,
    initialRetryDelayMs = 500,
    maxResponseBytes = 10 * 1024 * 1024,
    logger = WARNINGS_TO_CONSOLE,
  } = given;
  assertTimeout(timeoutMs, 'timeoutMs');
  assertWholeNumber(maxRetries, 'maxRetries', 0, MAX_RETRIES);
  assertWholeNumber(initialRetryDelayMs, 'initialRetryDelayMs', 0, MAX_TIMER_MS);
  assertWholeNumber(maxResponseBytes, 'maxResponseBytes', 1, Number.MAX_SAFE_INTEGER);

  const client = createOpenApiClient(baseUrl, headers);
  const transport = { baseUrl, fetch, credential };
  function clientFor(organizationId: string | undefined): KrosClient {
    if (organizationId !== undefined) assertUuid(organizationId, 'organizationId');
    const context: ClientContext = { transport, organizationId, timeoutMs, maxRetries, initialRetryDelayMs, maxResponseBytes, logger };
    return {
      webhooks: createWebhooks(operationCaller(context, client)),
      raw: rawClient(context, client),
      withOrganization: clientFor,
    };
  }
  return clientFor(given.organizationId ?? env.KROSAI_ORGANIZATION_ID);
}

/** Environment defaults, only where a `process.env` exists (not in browsers or most edge runtimes). */
function environment(): Record<string, string | undefined> {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
  // An empty variable means "not set", as in most shells' `VAR= command`.
  return Object.fromEntries(Object.entries(env).filter(([name, value]) => name.startsWith('KROSAI_') && value));
}
