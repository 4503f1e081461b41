import { createKrosClient, KrosAuthenticationError } from '@krosai/cockpit';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { registerWebhook } from './register-webhook.ts';

const API = 'https://api.krosai.com/v1';
const HOOK_URL = 'https://api.example.com/krosai/webhooks';
const HOOK = { id: '497f6eca-6276-4993-bfeb-53cbbbba6f08', url: HOOK_URL, events: ['call.completed'], active: true };

// No `fetch` option: the client calls the global fetch at each request, and msw intercepts it.
const kros = createKrosClient({ apiKey: 'kros_test_ci', baseUrl: API });
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

it('updates the webhook already registered for the URL', async () => {
  server.use(
    http.get(`${API}/webhooks`, () => HttpResponse.json([HOOK])),
    http.patch(`${API}/webhooks/${HOOK.id}`, () => HttpResponse.json({ ...HOOK, events: ['call.completed', 'call.failed'] })),
  );
  const webhook = await registerWebhook(kros, HOOK_URL, ['call.completed', 'call.failed']);
  expect(webhook.events).toEqual(['call.completed', 'call.failed']);
});

it('fails the deploy when the key is revoked', async () => {
  server.use(http.get(`${API}/webhooks`, () => HttpResponse.json({ error: 'Invalid API key' }, { status: 401 })));
  await expect(registerWebhook(kros, HOOK_URL, ['call.completed'])).rejects.toBeInstanceOf(KrosAuthenticationError);
});
