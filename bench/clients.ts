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

/** The same credential and organization for every client, by each one's own means. */
function connect(url: string) {
  const headers = { authorization: `Bearer ${KEY}`, 'x-organization-id': ORG };
  return {
    headers,
    raw: createClient<paths>({ baseUrl: url, headers }),
    kros: sdk.createKrosClient({ baseUrl: url, apiKey: KEY, organizationId: ORG }),
  };
}

export function perCallClients(url: string): Record<string, () => Promise<unknown>> {
  const { headers, raw, kros } = connect(url);
  return {
    'raw fetch': async () => (await fetch(`${url}/webhooks`, { headers })).json(),
    'openapi-fetch': async () => (await raw.GET('/webhooks')).data,
    // The baseline the per-call budget is set against: the facade also bounds every attempt in time.
    'openapi-fetch with AbortSignal.timeout': async () => (await raw.GET('/webhooks', { signal: AbortSignal.timeout(60_000) })).data,
    'facade (kros.webhooks.list)': () => kros.webhooks.list(),
    'undici.request (floor)': async () => (await request(`${url}/webhooks`, { headers })).body.json(),
  };
}

/**
 * The steps between section 1's clients that `npm run bench:instructions` counts: each adds one
 * thing to the one before; a timeout that can stop a request costs a signal fetch follows and a timer.
 */
export function steppingClients(url: string): Record<string, () => Promise<unknown>> {
  const { headers, kros } = connect(url);
  return {
    'raw fetch with a timeout': async () => (await fetch(`${url}/webhooks`, { headers, signal: AbortSignal.timeout(60_000) })).json(),
    'kros.raw.GET': async () => (await kros.raw.GET('/webhooks')).data,
  };
}
