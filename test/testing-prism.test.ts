/**
 * The stateful mock speaks the spec: a scripted session of every operation, success and error
 * cases, goes through Prism's validating proxy (`prism proxy openapi/krosai-cockpit.json <mock>`),
 * which checks each request and each of the mock's responses against the vendored spec.
 */
import { createMockKrosApi, type MockServer } from '@krosai/cockpit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrismServer, startPrismProxy } from '../scripts/prism.ts';
import { watchPrism } from './helpers/prism.ts';
import { reply, startServer, type TestServer } from './helpers/server.ts';

interface Violation {
  location: string[];
  severity: string;
  message: string;
}

interface Exchange {
  status: number;
  contentType: string | null;
  body: unknown;
  violations: Violation[];
}

const BEARER = { authorization: 'Bearer kros_test_prism' };
const ORGANIZATION = '7c60d51f-b44e-4682-87d6-449835ea4de6';
const UNKNOWN_ID = '497f6eca-6276-4993-bfeb-53cbbbba6f08';

const mock = createMockKrosApi({ deliveryTimeoutMs: 2_000 });
let server: MockServer;
let receiver: TestServer;
/** `--errors`: a response that departs from the spec becomes a Prism error; invalid requests are answered by Prism itself. */
let strict: PrismServer;
/** No `--errors`: everything is forwarded, so requests the spec refuses reach the mock; violations are only reported. */
let lenient: PrismServer;

beforeAll(async () => {
  [server, receiver] = await Promise.all([mock.listen(), startServer(reply(204))]);
  [strict, lenient] = await Promise.all([startPrismProxy(server.url, ['--errors']), startPrismProxy(server.url, [])]);
}, 60_000);
afterAll(async () => {
  await Promise.all([strict?.stop(), lenient?.stop(), server?.close(), receiver?.close()]);
});
watchPrism('The prism proxy --errors', () => strict.status());
watchPrism('The prism proxy', () => lenient.status());

async function send(
  prism: PrismServer,
  method: string,
  path: string,
  init: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Exchange> {
  const headers: Record<string, string> = { ...BEARER, ...init.headers };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${prism.url}${path}`, {
    method,
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: text ? JSON.parse(text) : undefined,
    violations: JSON.parse(response.headers.get('sl-violations') ?? '[]'),
  };
}

/** Through the `--errors` proxy: answered by the mock (not by Prism), with no violation of any severity. */
async function conforming(method: string, path: string, init?: Parameters<typeof send>[3]): Promise<Exchange> {
  const exchange = await send(strict, method, path, init);
  expect(exchange.violations, `${method} ${path}: sl-violations`).toEqual([]);
  expect(exchange.contentType ?? '', `${method} ${path}: a Prism error instead of the mock's answer`).not.toContain('problem+json');
  return exchange;
}

const validCreate = (url: string) => ({ url, events: ['call.completed', 'call.failed'] });

describe('the mock, through prism proxy --errors, for requests the spec accepts', () => {
  let id: string;

  it('create answers 201 with a Webhook', async () => {
    const { status, body } = await conforming('POST', '/webhooks', { body: validCreate(`${receiver.url}/hooks`) });
    expect(status).toBe(201);
    id = (body as { id: string }).id;
  });

  it('create with active: false answers 201', async () => {
    const { status, body } = await conforming('POST', '/webhooks', { body: { ...validCreate('https://example.com/b'), active: false } });
    expect(status).toBe(201);
    expect(body).toMatchObject({ active: false });
  });

  it('list answers 200 with the Webhooks', async () => {
    const { status, body } = await conforming('GET', '/webhooks');
    expect(status).toBe(200);
    expect(body).toHaveLength(2);
  });

  it('get answers 200 with the Webhook', async () => {
    const { status, body } = await conforming('GET', `/webhooks/${id}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ id });
  });

  it.each([
    ['active', () => ({ active: false })],
    ['events', () => ({ events: ['call.started'] })],
    ['url', () => ({ url: `${receiver.url}/moved` })],
    ['nothing (an empty patch)', () => ({})],
    ['events to an empty list (the spec sets no minItems on the patch)', () => ({ events: [] })],
  ])('update of %s answers 200', async (_what, patch) => {
    const { status } = await conforming('PATCH', `/webhooks/${id}`, { body: patch() });
    expect(status).toBe(200);
  });

  it('test answers 200 with the result of a real delivery', async () => {
    const { status, body } = await conforming('POST', `/webhooks/${id}/test`);
    expect(status).toBe(200);
    expect(body).toEqual({ success: true, status_code: 204, message: expect.any(String) });
  });

  it('test answers 200 with status_code null when the receiver cannot be reached', async () => {
    const closed = await startServer();
    await closed.close();
    const { body: created } = await conforming('POST', '/webhooks', { body: validCreate(`${closed.url}/gone`) });
    const { status, body } = await conforming('POST', `/webhooks/${(created as { id: string }).id}/test`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ success: false, status_code: null });
  });

  it('list in another organization answers 200 with none of these', async () => {
    const { status, body } = await conforming('GET', '/webhooks', { headers: { 'x-organization-id': ORGANIZATION } });
    expect(status).toBe(200);
    expect(body).toEqual([]);
  });

  it('delete answers 204', async () => {
    const { status, body } = await conforming('DELETE', `/webhooks/${id}`);
    expect(status).toBe(204);
    expect(body).toBeUndefined();
  });

  it.each([
    ['GET', undefined],
    ['PATCH', { active: true }],
    ['DELETE', undefined],
  ])('%s of an unknown id answers 404 with an Error', async (method, body) => {
    const exchange = await conforming(method, `/webhooks/${UNKNOWN_ID}`, { body });
    expect(exchange.status).toBe(404);
    expect(exchange.body).toMatchObject({ error: expect.any(String) });
  });
});

describe('the mock, through prism proxy --errors, where the spec is silent', () => {
  it('test of an unknown id answers 404, a status the spec does not list for test: Prism warns, nothing else', async () => {
    const { status, body, violations } = await send(strict, 'POST', `/webhooks/${UNKNOWN_ID}/test`);
    expect(status).toBe(404);
    expect(body).toMatchObject({ error: 'Webhook not found' });
    expect(violations).toEqual([
      expect.objectContaining({ location: ['response'], severity: 'Warning', message: expect.stringMatching(/status code/) }),
    ]);
  });
});

describe('the mock, through prism proxy, for requests the spec refuses', () => {
  /** Prism finds the request invalid (so the spec refuses it), and the mock's answer valid. */
  async function refused(method: string, path: string, init: Parameters<typeof send>[3]) {
    const exchange = await send(lenient, method, path, init);
    const where = (side: string) => exchange.violations.filter((violation) => violation.location[0] === side);
    expect(where('request').length, 'Prism agrees that the spec refuses this request').toBeGreaterThan(0);
    expect(where('response'), 'violations in the mock answer').toEqual([]);
    return exchange;
  }

  it.each([
    ['a url that is not a URI', { url: 'not a url', events: ['call.completed'] }],
    ['a url with a space', { url: 'https://example.com/a b', events: ['call.completed'] }],
    ['no url', { events: ['call.completed'] }],
    ['an empty events list', { url: 'https://example.com/a', events: [] }],
    ['an unknown event', { url: 'https://example.com/a', events: ['call.exploded'] }],
    ['events that are not an array', { url: 'https://example.com/a', events: 'call.completed' }],
    ['active that is not a boolean', { url: 'https://example.com/a', events: ['call.completed'], active: 'yes' }],
    ['a body that is an array', [{ url: 'https://example.com/a', events: ['call.completed'] }]],
  ])('create with %s answers 400 with an Error', async (_what, body) => {
    const { status, body: error } = await refused('POST', '/webhooks', { body });
    expect(status).toBe(400);
    expect(error).toMatchObject({ error: expect.stringMatching(/^Invalid request body/), code: 'VALIDATION_ERROR' });
  });

  it.each([
    ['a url that is not a URI', { url: 'example.com/hooks' }],
    ['an unknown event', { events: ['call.exploded'] }],
    ['active that is not a boolean', { active: 1 }],
  ])('update with %s answers 400 with an Error', async (_what, patch) => {
    const { body: created } = await conforming('POST', '/webhooks', { body: validCreate('https://example.com/c') });
    const { status, body } = await refused('PATCH', `/webhooks/${(created as { id: string }).id}`, { body: patch });
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: expect.any(String), code: 'VALIDATION_ERROR' });
  });

  it.each([
    ['GET', undefined],
    ['POST', validCreate('https://example.com/d')],
  ])('%s /webhooks without a credential answers 401 with an Error', async (method, body) => {
    const { status, body: error } = await refused(method, '/webhooks', { body, headers: { authorization: '' } });
    expect(status).toBe(401);
    expect(error).toMatchObject({ error: expect.any(String), code: 'UNAUTHORIZED' });
  });
});
