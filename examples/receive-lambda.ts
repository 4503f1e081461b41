// AWS Lambda behind API Gateway (REST or HTTP API) or a function URL.
import { createWebhookHandler } from '@krosai/cockpit/webhooks';
import { lambdaHandler } from '@krosai/cockpit/webhooks/lambda';

// Instances run side by side and retries land on any of them: share a store (postgresStore, redisStore).
export const handler = lambdaHandler(
  createWebhookHandler({
    secret: process.env.KROSAI_WEBHOOK_SECRET,
    on: { 'call.completed': async (delivery) => console.log(`${delivery.event} ${delivery.id}`) },
  }),
);
