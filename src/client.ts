/**
 * `createKrosClient`: options, environment defaults, and the wiring of credential, transport, the
 * generated client and the webhooks resource.
 */
import { type ApiKey, type AuthHeader, credentialFrom } from './auth.js';
import { createRawClient, type RawClient } from './raw-client.js';
import { createTransport, type Logger } from './transport.js';
import { assertCount, assertHeaders, assertHttpUrl, assertObject, assertTimeout, assertUuid } from './validate.js';
import { createWebhooks, type Webhooks } from './webhooks.js';

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
   *
   * @example
   * ```ts
   * createKrosClient({ apiKey, baseUrl: 'http://127.0.0.1:4010' });
   * ```
   */
  baseUrl?: string;
  /**
   * The `fetch` to send requests with. Default: `globalThis.fetch`.
   *
   * @example
   * ```ts
   * createKrosClient({ apiKey, fetch: (input, init) => fetch(input, init) });
   * ```
   */
  fetch?: typeof globalThis.fetch;
  /**
   * Headers added to every request.
   *
   * @example
   * ```ts
   * createKrosClient({ apiKey, headers: { 'x-team': 'billing' } });
   * ```
   */
  headers?: Record<string, string>;
  /**
   * Milliseconds each attempt may take, from sending to the end of the response body; past it the
   * attempt is aborted (and retried if safe). Default: 60 000.
   *
   * @example
   * ```ts
   * createKrosClient({ apiKey, timeoutMs: 10_000 });
   * ```
   */
  timeoutMs?: number;
  /**
   * How many times a failed request is retried (see "Retries" in the README for which failures
   * are). Default: 2.
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
  assertObject(options, 'options');
  const env = environment();
  const baseUrl = options.baseUrl ?? env.KROSAI_BASE_URL ?? DEFAULT_BASE_URL;
  assertHttpUrl(baseUrl, 'baseUrl');
  assertHeaders(options.headers, 'headers');
  const credential = credentialFrom(
    options.apiKey ?? env.KROSAI_API_KEY,
    options.authHeader ?? 'authorization',
    options.dangerouslyAllowBrowser,
  );
  // A copy: a later change to the caller's object must not reach requests unchecked.
  const headers = { ...options.headers };
  const fetch = options.fetch ?? globalThis.fetch;
  const { timeoutMs = 60_000, maxRetries = 2, initialRetryDelayMs = 500, logger = WARNINGS_TO_CONSOLE } = options;
  assertTimeout(timeoutMs, 'timeoutMs');
  assertCount(maxRetries, 'maxRetries');
  assertCount(initialRetryDelayMs, 'initialRetryDelayMs');

  function clientFor(organizationId: string | undefined): KrosClient {
    if (organizationId !== undefined) assertUuid(organizationId, 'organizationId');
    const send = createTransport({ fetch, credential, organizationId, timeoutMs, maxRetries, initialRetryDelayMs, logger });
    const raw = createRawClient(baseUrl, headers, send);
    return { webhooks: createWebhooks(raw, send), raw, withOrganization: clientFor };
  }
  return clientFor(options.organizationId ?? env.KROSAI_ORGANIZATION_ID);
}

/** Environment defaults, only where a `process.env` exists (not in browsers or most edge runtimes). */
function environment(): Record<string, string | undefined> {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
  // An empty variable means "not set", as in most shells' `VAR= command`.
  return Object.fromEntries(Object.entries(env).filter(([name, value]) => name.startsWith('KROSAI_') && value));
}
