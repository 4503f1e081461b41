/** The `@krosai/cockpit/webhooks/fastify` entry: a webhook handler as a Fastify plugin. */
import type { FastifyPluginCallback } from 'fastify';
import type { WebhookHandler } from '../handler.js';

/**
 * Options of {@link webhookPlugin}.
 *
 * @example
 * ```ts
 * const options: WebhookPluginOptions = { handler, path: '/webhooks/krosai' };
 * ```
 */
export interface WebhookPluginOptions {
  /** What `createWebhookHandler` returned. */
  handler: WebhookHandler;
  /** The route that receives deliveries. Default: `/webhooks/krosai`. */
  path?: string;
}

/**
 * Serves a webhook handler on one POST route. Fastify would parse the JSON body, but the signature
 * covers the raw bytes: inside this plugin's context only, a pass-through parser leaves the body to
 * the handler, which checks the signature header first, then reads at most `maxBodyBytes`.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { webhookPlugin } from '@krosai/cockpit/webhooks/fastify';
 *
 * const app = Fastify();
 * app.register(webhookPlugin, { handler, path: '/webhooks/krosai' });
 * ```
 */
export const webhookPlugin: FastifyPluginCallback<WebhookPluginOptions> = (fastify, { handler, path = '/webhooks/krosai' }, done) => {
  // Plugins are encapsulated: the app's own parsers stay for its other routes.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_request, _body, next) => next(null));
  fastify.post(path, async (request, reply) => {
    let body = '';
    await handler.node(request.raw, {
      writeHead: (status, headers) => reply.code(status).headers(headers),
      end: (text) => {
        body = text;
      },
    });
    return reply.send(body);
  });
  done();
};
