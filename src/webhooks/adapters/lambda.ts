/** The `@krosai/cockpit/webhooks/lambda` entry: a webhook handler as an AWS Lambda function. */
import type { WebhookHandler } from '../handler.js';

/**
 * The parts of an API Gateway (REST or HTTP API) or function URL event a delivery needs. The types
 * are written here, so that the package needs no `@types/aws-lambda`.
 */
export interface LambdaHttpEvent {
  /** REST APIs (payload format 1.0). */
  httpMethod?: string;
  /** HTTP APIs (payload format 2.0) and function URLs. */
  requestContext?: { http?: { method?: string } };
  /** Header names as the client sent them, in any case. */
  headers?: Record<string, string | undefined> | null;
  /** The body as a string: UTF-8 text, or base64 when `isBase64Encoded`. */
  body?: string | null;
  isBase64Encoded?: boolean;
}

/** What the function returns to API Gateway or the function URL. */
export interface LambdaHttpResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Wraps a webhook handler as a Lambda function behind API Gateway (REST or HTTP API) or a function
 * URL; base64 bodies are decoded to the bytes that were signed.
 *
 * @example
 * ```ts
 * import { createWebhookHandler } from '@krosai/cockpit/webhooks';
 * import { lambdaHandler } from '@krosai/cockpit/webhooks/lambda';
 *
 * export const handler = lambdaHandler(createWebhookHandler({ secret: process.env.KROSAI_WEBHOOK_SECRET, on }));
 * ```
 */
export function lambdaHandler(handler: WebhookHandler): (event: LambdaHttpEvent) => Promise<LambdaHttpResult> {
  return async (event) => {
    const method = event.httpMethod ?? event.requestContext?.http?.method;
    const json = { 'content-type': 'application/json' };
    if (method !== 'POST') return { statusCode: 405, headers: { ...json, allow: 'POST' }, body: '{"error":"method_not_allowed"}' };
    let body: unknown = event.body ?? '';
    if (event.isBase64Encoded && typeof body === 'string') {
      try {
        body = Uint8Array.from(atob(body), (char) => char.charCodeAt(0));
      } catch {
        return { statusCode: 400, headers: json, body: '{"error":"invalid_base64"}' };
      }
    }
    // A body a middleware already parsed (middy's JSON parser) reaches the handler as it is: it answers 500, naming the fix.
    const { status, body: answer } = await handler.handle({ body, headers: event.headers ?? {} });
    return { statusCode: status, headers: json, body: answer };
  };
}
