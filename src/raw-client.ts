/**
 * The only module that imports openapi-fetch: replacing the generated client touches this file.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './generated/api.js';
import { type Call, OutgoingRequest, type Send } from './transport.js';

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

export function createRawClient(baseUrl: string, headers: Headers | undefined, send: Send): RawClient {
  return createClient<paths>({
    baseUrl,
    headers,
    Request: OutgoingRequest as unknown as typeof Request,
    fetch: send as unknown as OpenApiFetch,
  });
}

/** The `fetch` option of one call: the transport, with this call's settings. */
export function sendingWith(send: Send, call: Call): OpenApiFetch {
  return ((request: OutgoingRequest) => send(request, call)) as unknown as OpenApiFetch;
}
