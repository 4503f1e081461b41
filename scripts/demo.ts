/**
 * `npm run demo`: runs examples/quickstart.ts against the stateful mock of
 * `@krosai/cockpit/testing`, behind Prism's validating proxy (`--errors`: a request or response
 * that departs from openapi/krosai-cockpit.json fails the call), with a local receiver that verifies
 * the test delivery with `verifyWebhook`. Needs no API key and no network; stops all it starts.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '@krosai/cockpit';
import { createMockKrosApi } from '@krosai/cockpit/testing';
import { startPrismProxy } from './prism.ts';

const mock = createMockKrosApi();
const api = await mock.listen();
const prism = await startPrismProxy(api.url, ['--errors']);

// Prism reports even a mere warning in an `sl-violations` header: collect them from every answer it gives.
const violations: string[] = [];
let checked = 0;
const fetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const response = await fetch(input, init);
  if (String(input instanceof Request ? input.url : input).startsWith(prism.url)) {
    checked++;
    const found = response.headers.get('sl-violations');
    if (found) violations.push(found);
  }
  return response;
};

// The receiver, as your app would run it; it knows the secrets the API handed out.
const receiver = createServer(async (request, response) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk);
  const secrets = mock.webhooks().map((webhook) => webhook.secret);
  try {
    const delivery = await verifyWebhook(Buffer.concat(chunks), request.headers, secrets);
    console.log(`receiver → verified ${delivery.event} delivery ${delivery.id} with verifyWebhook, answered 204`);
    response.writeHead(204).end();
  } catch (error) {
    console.log(`receiver → refused the delivery: ${(error as Error).message}, answered 400`);
    response.writeHead(400).end();
  }
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/krosai/webhooks`;

console.log(`Stateful KrosAI mock on ${api.url}, behind Prism's validating proxy on ${prism.url}`);
console.log(`(prism proxy openapi/krosai-cockpit.json --errors); receiver on ${receiverUrl}\n`);
process.env.KROSAI_BASE_URL = prism.url;
process.env.KROSAI_API_KEY = 'kros_test_demo';
process.env.WEBHOOK_URL = receiverUrl;
try {
  await import('../examples/quickstart.ts');
  const verdict = violations.length ? `${violations.length} with violations` : 'no violations';
  console.log(`\nPrism checked ${checked} calls, request and response, against the spec: ${verdict}.`);
  for (const violation of violations) console.log(`  ${violation}`);
  if (violations.length) process.exitCode = 1;
} finally {
  globalThis.fetch = fetch;
  await Promise.all([prism.stop(), api.close(), new Promise((resolve) => receiver.close(resolve))]);
}
