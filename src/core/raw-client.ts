/** The only module that imports openapi-fetch's runtime. */
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from '../generated/api.js';
import { type ClientContext, send } from './call.js';
import { KrosValidationError } from './errors.js';
import { printable } from './redact.js';
import { spanned, traceCall } from './trace.js';
import { headersFrom, readOptions } from './validate.js';

/**
 * The typed openapi-fetch client for every path of the spec, with the same auth, organization,
 * timeouts and retries as the facade. Middleware added with `use()` runs once per attempt and sees
 * a standard `Request`, as openapi-fetch documents.
 *
 * @example
 * ```ts
 * const { data, error } = await kros.raw.GET('/webhooks/{id}', { params: { path: { id } } });
 * kros.raw.use({ onRequest: ({ request }) => new Request(request, { headers: { 'x-trace-id': traceId } }) });
 * ```
 */
export type RawClient = Client<paths>;

type Method = (...args: unknown[]) => Promise<{ response: Response; error?: unknown }>;

const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'TRACE'];

/** The openapi-fetch client the facade and `kros.raw` share (its middleware included). */
export function createOpenApiClient(baseUrl: string, headers: Headers | undefined): RawClient {
  return createClient<paths>({ baseUrl, headers });
}

/**
 * `kros.raw`: each sending method checks its headers as the facade does (forwarded headers must not
 * smuggle in a credential) and retries as the facade does; `use` and `eject` are the client's own.
 */
export function rawClient(context: ClientContext, client: RawClient): RawClient {
  const methods = client as unknown as Record<string, Method>;
  const raw: Record<string, unknown> = { ...client };
  for (const name of ['request', ...METHODS]) {
    // request(method, url, init); GET(url, init); ...
    const at = name === 'request' ? 2 : 1;
    raw[name] = async (...args: unknown[]) => {
      const init =
        args[at] === undefined
          ? {}
          : readOptions(args[at] as { baseUrl?: unknown; headers?: unknown; params?: { header?: unknown; path?: object } }, 'options');
      // Refused here, not by the Request constructor, whose message would quote its userinfo.
      if (init.baseUrl !== undefined && String(init.baseUrl).replace(/\/+$/, '') !== context.transport.baseUrl.replace(/\/+$/, '')) {
        throw new KrosValidationError("a request outside the client's baseUrl: create a client for that API root instead");
      }
      if (init.headers !== undefined) init.headers = headersFrom(init.headers, 'headers');
      if (init.params !== undefined) {
        const params = readOptions(init.params, 'params');
        if (params.header !== undefined) params.header = headersFrom(params.header, 'params.header', true);
        // `..` would be a path segment of its own: /webhooks/{id}/test with id `..` is /test.
        for (const value of Object.values(params.path ?? {})) {
          if (value === '.' || value === '..') throw new KrosValidationError('params.path: `.` and `..` are not path parameter values');
        }
        init.params = params;
      }
      const method = name === 'request' ? String(args[0]).toUpperCase() : name;
      const { signal } = init as { signal?: AbortSignal };
      // The path may carry a query: spans, hooks, errors and logs name the path alone.
      const path = printable(String(args[at - 1]).replace(/[?#].*/s, ''));
      const trace = traceCall(context, `${method} ${path}`, method, path);
      const sent = send(context, { signal }, { method, path, trace }, (fetch) =>
        (methods[name] as Method)(...args.slice(0, at), { ...init, fetch }),
      );
      const { result } = await spanned(trace, sent);
      return result;
    };
  }
  return raw as unknown as RawClient;
}
