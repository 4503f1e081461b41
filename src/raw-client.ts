/**
 * The only module that imports openapi-fetch: replacing the generated client touches this file.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './generated/api.js';
import { type Call, OutgoingRequest, type Send } from './transport.js';
import { headersFrom } from './validate.js';

/**
 * The typed openapi-fetch client for every path of the spec, with the same auth, organization,
 * timeouts and retries as the facade. Use it for operations the facade does not wrap yet.
 * Middleware added with `use()` sees the SDK's outgoing request (`url`, `method`, `headers`, `body`),
 * not a Fetch `Request`.
 *
 * @example
 * ```ts
 * const { data, error } = await kros.raw.GET('/webhooks/{id}', { params: { path: { id } } });
 * ```
 */
export type RawClient = Client<paths>;

/** openapi-fetch builds an {@link OutgoingRequest} where its types say `Request`. */
type OpenApiFetch = (request: Request) => Promise<Response>;

type Init = { headers?: unknown } | undefined;
type Method = (url: string, init?: Init) => Promise<unknown>;

export function createRawClient(baseUrl: string, headers: Headers | undefined, send: Send): RawClient {
  const client = createClient<paths>({
    baseUrl,
    headers,
    Request: OutgoingRequest as unknown as typeof Request,
    fetch: send as unknown as OpenApiFetch,
  });
  // Per-call headers get the client's checks: forwarding an incoming request's headers must not
  // smuggle in its credential or organization, here any more than through the facade.
  const methods = client as unknown as Record<string, Method>;
  for (const name of ['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'TRACE']) {
    const method = methods[name] as Method;
    methods[name] = async (url, init) =>
      method(url, init?.headers === undefined ? init : { ...init, headers: headersFrom(init.headers, 'headers') });
  }
  return client;
}

/** The `fetch` option of one call: the transport, with this call's settings. */
export function sendingWith(send: Send, call: Call): OpenApiFetch {
  return ((request: OutgoingRequest) => send(request, call)) as unknown as OpenApiFetch;
}
