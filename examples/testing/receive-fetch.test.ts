import { createSignedDelivery } from '@krosai/cockpit/testing';
import { expect, it, vi } from 'vitest';

// The route reads its secret when loaded, as in production: set it before importing the route.
const SECRET = vi.hoisted(() => (process.env.KROSAI_WEBHOOK_SECRET = 'whsec_receiver_tests'));
const { POST } = await import('../receive-fetch.ts');

async function receive(delivery: { body: string; headers: Record<string, string> }) {
  const response = await POST(new Request('https://app.example.com/webhooks/krosai', { method: 'POST', ...delivery }));
  return [response.status, await response.json()];
}

it('handles a delivery signed with our secret, once', async () => {
  const delivery = await createSignedDelivery('call.completed', { call_id: 'call_1', duration: 42 }, SECRET);
  expect(await receive(delivery)).toEqual([200, { status: 'handled' }]);
  expect(await receive(delivery)).toEqual([200, { status: 'duplicate' }]);
});

it('refuses a delivery signed with another secret', async () => {
  const delivery = await createSignedDelivery('call.completed', { call_id: 'call_1' }, 'whsec_someone_else');
  expect(await receive(delivery)).toEqual([400, expect.objectContaining({ error: 'signature_mismatch' })]);
});

it('refuses a replayed delivery from an hour ago', async () => {
  const timestamp = new Date(Date.now() - 3_600_000);
  const delivery = await createSignedDelivery('call.completed', {}, SECRET, { timestamp });
  expect(await receive(delivery)).toEqual([400, expect.objectContaining({ error: 'timestamp_out_of_tolerance' })]);
});

it('acknowledges an event name it does not handle yet', async () => {
  const delivery = await createSignedDelivery('call.transferred', {}, SECRET);
  expect(await receive(delivery)).toEqual([200, { status: 'ignored' }]);
});
