/**
 * The only module that imports openapi-fetch: replacing the generated client touches this file.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './generated/api.js';

/**
 * The typed openapi-fetch client for every path of the spec, with the same auth, organization,
 * timeouts and retries as the facade. Use it for operations the facade does not wrap yet.
 *
 * @example
 * ```ts
 * const { data, error } = await kros.raw.GET('/webhooks/{id}', { params: { path: { id } } });
 * ```
 */
export type RawClient = Client<paths>;

export function createRawClient(
  baseUrl: string,
  headers: Record<string, string>,
  send: (request: Request) => Promise<Response>,
): RawClient {
  return createClient<paths>({ baseUrl, headers, fetch: send });
}
