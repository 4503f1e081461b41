import { createSignedDelivery } from '@krosai/cockpit/testing';
import { expect, it, vi } from 'vitest';
import { POST } from '../receive-fetch.ts';

const SECRET = 'whsec_receiver_tests';
vi.stubEnv('KROSAI_WEBHOOK_SECRET', SECRET);

async function receive(delivery: { body: string; headers: Record<string, string> }) {
  return POST(new Request('https://app.example.com/webhooks/krosai', { method: 'POST', ...delivery }));
}

it('accepts a delivery signed with our secret', async () => {
  const response = await receive(await createSignedDelivery('call.completed', { call_id: 'call_1' }, SECRET));
  expect(response.status).toBe(204);
});

it('refuses a delivery signed with another secret', async () => {
  const response = await receive(await createSignedDelivery('call.completed', { call_id: 'call_1' }, 'whsec_someone_else'));
  expect(response.status).toBe(400);
  expect(await response.text()).toBe('signature_mismatch');
});

it('refuses a replayed delivery from an hour ago', async () => {
  const timestamp = new Date(Date.now() - 3_600_000);
  const response = await receive(await createSignedDelivery('call.completed', {}, SECRET, { timestamp }));
  expect(await response.text()).toBe('timestamp_out_of_tolerance');
});

it('accepts an event name it does not handle yet', async () => {
  const response = await receive(await createSignedDelivery('call.transferred', {}, SECRET));
  expect(response.status).toBe(204);
});
