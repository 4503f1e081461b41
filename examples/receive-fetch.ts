// A Fetch API handler: a Next.js route handler (app/webhooks/krosai/route.ts), a Cloudflare Worker's
// fetch, Hono's `(c) => POST(c.req.raw)`, Deno.serve or Bun.serve.
import { KrosSignatureError, KrosTimeoutError, verifyWebhookRequest } from '@krosai/cockpit/webhooks';

export async function POST(request: Request): Promise<Response> {
  const secret = process.env.KROSAI_WEBHOOK_SECRET; // in a Worker: env.KROSAI_WEBHOOK_SECRET
  if (!secret) throw new Error('set KROSAI_WEBHOOK_SECRET');
  try {
    const delivery = await verifyWebhookRequest(request, secret);
    console.log(`${delivery.event} ${delivery.id}`);
    return new Response(null, { status: 204 });
  } catch (error) {
    if (error instanceof KrosTimeoutError) return new Response(null, { status: 408 });
    if (!(error instanceof KrosSignatureError)) throw error;
    return new Response(error.reason, { status: error.reason === 'payload_too_large' ? 413 : 400 });
  }
}
