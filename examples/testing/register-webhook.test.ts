import { createKrosClient } from '@krosai/cockpit';
import { createMockKrosApi } from '@krosai/cockpit/testing';
import { beforeEach, expect, it } from 'vitest';
import { registerWebhook } from './register-webhook.ts';

const HOOK_URL = 'https://api.example.com/krosai/webhooks';
const mock = createMockKrosApi();
const kros = createKrosClient({ fetch: mock.fetch, baseUrl: mock.baseUrl, apiKey: 'kros_test_ci' });
beforeEach(() => mock.reset());

it('creates the webhook on the first deploy', async () => {
  await registerWebhook(kros, HOOK_URL, ['call.completed']);
  expect(mock.webhooks()).toMatchObject([{ url: HOOK_URL, events: ['call.completed'], active: true }]);
});

it('updates that webhook on the next deploy instead of adding another', async () => {
  await registerWebhook(kros, HOOK_URL, ['call.completed']);
  await registerWebhook(kros, HOOK_URL, ['call.completed', 'call.failed']);
  expect(mock.webhooks()).toMatchObject([{ url: HOOK_URL, events: ['call.completed', 'call.failed'] }]);
});

it('gets through a rate limit on deploy', async () => {
  mock.failNext({ status: 429, retryAfter: 1 });
  await registerWebhook(kros, HOOK_URL, ['call.completed']);
  expect(mock.requests.map(({ method, status }) => `${method} ${status}`)).toEqual(['GET 429', 'GET 200', 'POST 201']);
});
