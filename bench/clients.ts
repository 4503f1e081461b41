/**
 * The clients that section 1 of `npm run bench` compares, each listing the webhooks once per call:
 * side by side in the bench's process, and each alone in a process of its own (bench/one-client.ts).
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import createClient from 'openapi-fetch';
import { request } from 'undici';
import type { paths } from '../src/generated/api.ts';

type Sdk = typeof import('../src/index.ts');

export const KEY = 'kros_test_bench';
export const ORG = '7c60d51f-b44e-4682-87d6-449835ea4de6';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The package as Node users get it: the built `node` variant. */
export const sdk = (await import(pathToFileURL(join(ROOT, 'dist/node/index.js')).href)) as Sdk;

export function perCallClients(url: string): Record<string, () => Promise<unknown>> {
  const headers = { authorization: `Bearer ${KEY}`, 'x-organization-id': ORG };
  const raw = createClient<paths>({ baseUrl: url, headers });
  const kros = sdk.createKrosClient({ baseUrl: url, apiKey: KEY, organizationId: ORG });
  return {
    'raw fetch': async () => (await fetch(`${url}/webhooks`, { headers })).json(),
    'openapi-fetch': async () => (await raw.GET('/webhooks')).data,
    'facade (kros.webhooks.list)': () => kros.webhooks.list(),
    'undici.request (floor)': async () => (await request(`${url}/webhooks`, { headers })).body.json(),
  };
}
