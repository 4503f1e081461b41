/**
 * The only module that imports openapi-fetch: replacing the generated client touches this file.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './generated/api.js';
import { type Call, OutgoingRequest, type Send } from './transport.js';
import { headersFrom, readOptions } from './validate.js';

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

type Method = (...args: unknown[]) => Promise<unknown>;

/** The openapi-fetch client on the transport; the facade checks its own options before calling it. */
export function createRawClient(baseUrl: string, headers: Headers | undefined, send: Send): RawClient {
  return createClient<paths>({
    baseUrl,
    headers,
    Request: OutgoingRequest as unknown as typeof Request,
    fetch: send as unknown as OpenApiFetch,
  });
}

/**
 * `kros.raw`: the client with per-call headers checked as the facade's are, in every method that
 * sends: forwarding an incoming request's headers must not smuggle in its credential or organization.
 */
export function withCheckedHeaders(client: RawClient): RawClient {
  const methods = client as unknown as Record<string, Method>;
  const checked: Record<string, unknown> = { ...client };
  // The options are where openapi-fetch reads them, whatever follows: request(method, url, init), GET(url, init), ...
  for (const name of ['request', 'GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'TRACE']) {
    const method = methods[name] as Method;
    const at = name === 'request' ? 2 : 1;
    checked[name] = async (...args: unknown[]) => {
      // Read once: a getter that answers differently later cannot reach the request unchecked.
      const init =
        args[at] === undefined ? undefined : readOptions(args[at] as { headers?: unknown; params?: { header?: unknown } }, 'options');
      if (init?.headers !== undefined) init.headers = headersFrom(init.headers, 'headers');
      if (init?.params !== undefined) {
        const params = readOptions(init.params, 'params');
        if (params.header !== undefined) params.header = headersFrom(params.header, 'params.header', true);
        init.params = params;
      }
      return method(...args.slice(0, at), init);
    };
  }
  return checked as unknown as RawClient;
}

/** The `fetch` option of one call: the transport, with this call's settings. */
export function sendingWith(send: Send, call: Call): OpenApiFetch {
  return ((request: OutgoingRequest) => send(request, call)) as unknown as OpenApiFetch;
}
