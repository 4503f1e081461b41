import { createKrosClient } from '@krosai/cockpit';

// Reads KROSAI_API_KEY, and KROSAI_BASE_URL / KROSAI_ORGANIZATION_ID when set.
const kros = createKrosClient();

// Where KrosAI will POST the signed deliveries: your receiver's public URL.
const url = process.env.WEBHOOK_URL ?? 'https://example.com/krosai/webhooks';

const created = await kros.webhooks.create({ url, events: ['call.completed', 'call.failed'] });
if (!created.id) throw new Error('the API returned a webhook without an id');
const id = created.id;
console.log(`create  → webhook ${id} for ${created.events?.join(', ')} at ${created.url}`);
console.log(`          signing secret: ${created.secret?.slice(0, 4)}… (store it to verify deliveries)`);

const webhooks = await kros.webhooks.list();
console.log(`list    → ${webhooks.length} webhook(s): ${webhooks.map((w) => w.url).join(', ')}`);

const fetched = await kros.webhooks.get(id);
console.log(`get     → ${fetched.id}, active: ${fetched.active}`);

const updated = await kros.webhooks.update(id, { active: false });
console.log(`update  → ${updated.id}, active: ${updated.active}`);

const result = await kros.webhooks.test(id);
console.log(`test    → success: ${result.success}, endpoint status: ${result.status_code}, "${result.message}"`);

await kros.webhooks.delete(id);
console.log(`delete  → webhook ${id} deleted`);
