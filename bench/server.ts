/**
 * The bench's API stand-in, in its own process so that it does not share the client's event loop:
 * GET /webhooks answers a list of three webhooks, any other path a 404 with the spec's Error body.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const webhook = (i: number) => ({
  id: `497f6eca-6276-4993-bfeb-53cbbbba6f0${i}`,
  url: `https://example.com/hooks/${i}`,
  secret: 'whsec_bench',
  events: ['call.completed', 'call.failed'],
  active: true,
  organization_id: '7c60d51f-b44e-4682-87d6-449835ea4de6',
  created_at: '2026-01-01T12:00:00Z',
  updated_at: '2026-01-01T12:00:00Z',
});
const LIST = JSON.stringify([webhook(1), webhook(2), webhook(3)]);
const NOT_FOUND = JSON.stringify({ error: 'Webhook not found', code: 'WEBHOOK_NOT_FOUND' });

const server = createServer((request, response) => {
  request.resume();
  const found = request.url === '/webhooks';
  response.writeHead(found ? 200 : 404, { 'content-type': 'application/json', 'x-request-id': 'req_bench' }).end(found ? LIST : NOT_FOUND);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
process.on('disconnect', () => process.exit(0));
