// A Fetch API handler: a Next.js route handler (app/webhooks/krosai/route.ts), a Cloudflare Worker's
// fetch, Hono's `(c) => handler.fetch(c.req.raw)`, Deno.serve or Bun.serve.
import { createWebhookHandler, memoryStore } from '@krosai/cockpit/webhooks';

const handler = createWebhookHandler({
  secret: process.env.KROSAI_WEBHOOK_SECRET, // missing, every delivery gets a 500 and KrosAI retries
  store: memoryStore(), // one process; instances that share deliveries share postgresStore or redisStore
  on: {
    'call.completed': async ({ data }) => console.log(`call ${data.call_id} took ${data.duration} s`),
    'call.failed': async ({ id, data }) => console.log(`delivery ${id}: call failed with ${data.error_code}`),
  },
});

export const POST = (request: Request) => handler.fetch(request);
