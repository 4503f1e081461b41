import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createKrosClient, type KrosClient } from '@krosai/cockpit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reply, startServer, type TestServer } from './helpers/server.ts';
import { ROOT } from './helpers/workspace.ts';

const ID = '497f6eca-6276-4993-bfeb-53cbbbba6f08';

/** Each operation of the spec and the facade call that performs it. */
const FACADE: Record<string, (kros: KrosClient) => Promise<unknown>> = {
  listWebhooks: (kros) => kros.webhooks.list(),
  createWebhook: (kros) => kros.webhooks.create({ url: 'https://example.com/hooks', events: ['call.completed'] }),
  getWebhook: (kros) => kros.webhooks.get(ID),
  updateWebhook: (kros) => kros.webhooks.update(ID, { active: false }),
  deleteWebhook: (kros) => kros.webhooks.delete(ID),
  testWebhook: (kros) => kros.webhooks.test(ID),
};

/**
 * Operations deliberately left to `kros.raw`, each with the reason. A spec bump that adds an
 * operation fails this suite until someone adds a facade method or an entry here.
 */
const RAW_CLIENT_ONLY: Record<string, string> = {};

const spec = JSON.parse(await readFile(join(ROOT, 'openapi/krosai-cockpit.json'), 'utf8'));
const operations = Object.entries(spec.paths as Record<string, Record<string, { operationId: string }>>).flatMap(([path, item]) =>
  Object.entries(item).map(([method, operation]) => ({ id: operation.operationId, method: method.toUpperCase(), path })),
);

let server: TestServer;
beforeAll(async () => {
  // A plausible success for every operation: enough for the facade to resolve.
  server = await startServer((request, response) => {
    if (request.method === 'DELETE') return reply(204)(request, response);
    return reply(200, request.url === '/webhooks' && request.method === 'GET' ? [] : { id: ID, success: true })(request, response);
  });
});
afterAll(() => server.close());

describe('facade coverage of the spec', () => {
  it.each(operations)('$id ($method $path) has a facade method or a reason to be raw-only', ({ id }) => {
    expect(
      id in FACADE || id in RAW_CLIENT_ONLY,
      `${id} has no facade method: add one to kros.webhooks and to FACADE, or list it in RAW_CLIENT_ONLY with a reason`,
    ).toBe(true);
  });

  it.each(Object.keys(FACADE))('%s is performed by its facade method with the method and path of the spec', async (id) => {
    const operation = operations.find((candidate) => candidate.id === id);
    expect(operation, `${id} is not in the spec any more`).toBeDefined();
    server.requests.length = 0;
    await FACADE[id]!(createKrosClient({ baseUrl: server.url, apiKey: 'kros_test_x' }));
    const expectedPath = operation!.path.replace('{id}', ID);
    expect(server.requests.map((request) => `${request.method} ${request.url}`)).toEqual([`${operation!.method} ${expectedPath}`]);
  });

  it('names only operations of the spec in FACADE and RAW_CLIENT_ONLY', () => {
    const ids = operations.map((operation) => operation.id);
    expect([...Object.keys(FACADE), ...Object.keys(RAW_CLIENT_ONLY)].filter((id) => !ids.includes(id))).toEqual([]);
  });
});
