import { createSignedDelivery, DELIVERY_FORMATS } from '@krosai/cockpit/testing';
import { expect, it, vi } from 'vitest';

const SECRET = vi.hoisted(() => (process.env.KROSAI_WEBHOOK_SECRET = 'whsec_receiver_tests'));
const { POST } = await import('../receive-fetch.ts');

// The signature covers the bytes sent, not their meaning: a receiver that verifies re-serialised
// JSON accepts 'canonical' and refuses the same delivery indented, reordered or escaped.
it.each(DELIVERY_FORMATS)('accepts a delivery written as %s JSON', async (format) => {
  const data = { call_id: 'call_1', cost: 0.5, summary: 'Rappel demandé / callback' };
  const delivery = await createSignedDelivery('call.completed', data, SECRET, { format });
  const response = await POST(new Request('https://app.example.com/webhooks/krosai', { method: 'POST', ...delivery }));
  expect(response.ok).toBe(true);
});
