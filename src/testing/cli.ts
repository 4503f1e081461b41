#!/usr/bin/env node
/**
 * `krosai-cockpit`: serve the stateful mock (`mock`), or send one signed delivery to a receiver
 * (`deliver`). Usage errors exit 2, a delivery the receiver did not accept exits 1. The signing
 * secret is never printed.
 */
import { parseArgs } from 'node:util';
import { SDK_VERSION } from '../core/user-agent.js';
import { createSignedDelivery, postDelivery } from './deliveries.js';
import { createMockKrosApi } from './mock-api.js';

const USAGE = `Usage: krosai-cockpit <command> [options]

Commands:
  mock       serve a stateful mock of the KrosAI webhooks API on 127.0.0.1
  deliver    send one signed webhook delivery to a receiver and print its answer

Run krosai-cockpit <command> --help for a command's options, krosai-cockpit --version for the version.`;

const MOCK_USAGE = `Usage: krosai-cockpit mock [--port <port>] [--api-key <key>]... [--allowed-host <name>]...

Serves the webhook operations with state (created webhooks are listed, updates stick, test sends a
signed delivery to the webhook's URL) on http://127.0.0.1:<port>, for tests: never for production.
Point your app at it with KROSAI_BASE_URL. POST /_mock/reset forgets everything. Ctrl-C stops it.

Options:
  --port <port>          port to listen on; 0 picks a free one (default: 4010)
  --api-key <key>        accept only this credential (repeatable; default: any)
  --allowed-host <name>  answer this Host besides loopback, such as a Docker service name (repeatable)
  --help                 show this help`;

const DELIVER_USAGE = `Usage: krosai-cockpit deliver --to <url> --event <name> [--secret <secret>] [--data <json>]

Sends one delivery, signed as KrosAI signs it ({ id, event, timestamp, data } with
X-Webhook-Signature: sha256=<hex>), to a receiver, and prints its answer. Redirects are not
followed; the receiver has 10 s to answer.

Options:
  --to <url>         the receiver's http(s) URL
  --event <name>     the event name, such as call.completed
  --secret <secret>  the webhook's signing secret (default: the KROSAI_WEBHOOK_SECRET
                     environment variable, which keeps it out of your shell history)
  --data <json>      the event's data, a JSON object (default: {})
  --id <id>          the delivery id (default: a new evt_… id)
  --help             show this help`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') return print(USAGE, 0);
  if (command === '--version' || command === '-v') return print(SDK_VERSION, 0);
  if (command === 'mock') return mock(rest);
  if (command === 'deliver') return deliver(rest);
  throw new UsageError(command ? `unknown command "${command}"\n\n${USAGE}` : USAGE);
}

async function mock(args: string[]): Promise<number> {
  const { values } = parse(() =>
    parseArgs({
      args,
      options: {
        port: { type: 'string', default: '4010' },
        'api-key': { type: 'string', multiple: true },
        'allowed-host': { type: 'string', multiple: true },
        help,
      },
    }),
  );
  if (values.help) return print(MOCK_USAGE, 0);
  const port = Number(values.port);
  if (!/^\d+$/.test(String(values.port)) || port > 65_535) throw new UsageError(`--port must be 0 to 65535, got "${values.port}"`);
  const apiKeys = values['api-key'];
  const api = createMockKrosApi({
    ...(apiKeys && { apiKeys }),
    allowedHosts: values['allowed-host'] ?? [],
    // Method, path and status only: bodies carry signing secrets.
    onRequest: ({ method, path, status }) => console.log(`${method} ${path} → ${status}`),
  });
  const server = await api.listen(port).catch((error: NodeJS.ErrnoException) => {
    throw new Error(error.code === 'EADDRINUSE' ? `port ${port} is in use: pick another with --port` : error.message);
  });
  console.log(`KrosAI mock listening on ${server.url} (default organization ${api.defaultOrganizationId}); Ctrl-C stops it`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}

async function deliver(args: string[]): Promise<number> {
  const { values } = parse(() =>
    parseArgs({
      args,
      options: {
        to: { type: 'string' },
        event: { type: 'string' },
        secret: { type: 'string' },
        data: { type: 'string', default: '{}' },
        id: { type: 'string' },
        help,
      },
    }),
  );
  if (values.help) return print(DELIVER_USAGE, 0);
  const { to, event } = values;
  const secret = values.secret ?? process.env.KROSAI_WEBHOOK_SECRET;
  if (!to || !isHttpUrl(to)) throw new UsageError(`--to must be an http(s) URL\n\n${DELIVER_USAGE}`);
  if (!event) throw new UsageError(`--event is required, such as --event call.completed\n\n${DELIVER_USAGE}`);
  // The secret itself is never quoted back.
  if (!secret) throw new UsageError(`--secret (or KROSAI_WEBHOOK_SECRET) is required\n\n${DELIVER_USAGE}`);
  let data: unknown;
  try {
    data = JSON.parse(values.data);
  } catch {
    throw new UsageError('--data must be JSON, such as --data \'{"call_id":"call_1"}\'');
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new UsageError('--data must be a JSON object');
  const delivery = await createSignedDelivery(event, data as Record<string, unknown>, secret, values.id ? { id: values.id } : {});
  const { id } = JSON.parse(delivery.body);
  const outcome = await postDelivery(to, delivery, 10_000);
  console.log(`${event} ${id} → ${to}: ${outcome.message}`);
  // The receiver's words, without the control characters that could rewrite the terminal.
  if (outcome.body) console.log(outcome.body.replace(/(?![\t\n])\p{Cc}/gu, '?'));
  return outcome.success ? 0 : 1;
}

const help = { type: 'boolean', short: 'h' } as const;

function isHttpUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** parseArgs (strict: unknown options and stray arguments are errors), its errors as usage errors. */
function parse<T>(parseArgs: () => T): T {
  try {
    return parseArgs();
  } catch (error) {
    // A stray argument may be a secret typed without --secret: it is not quoted back.
    const stray = (error as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL';
    throw new UsageError(stray ? 'unexpected argument: options take the form --name value' : (error as Error).message);
  }
}

function print(text: string, code: number): number {
  console.log(text);
  return code;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    console.error(`krosai-cockpit: ${error.message}`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
