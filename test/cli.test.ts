/**
 * The `krosai-cockpit` command as the package ships it (dist/node/cli.js, built by the global
 * setup), run as a user would run it.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKrosClient, verifyWebhook } from '@krosai/cockpit';
import { afterEach, describe, expect, it } from 'vitest';
import { type RecordedRequest, type Responder, rawExchange, reply, startServer, type TestServer } from './helpers/server.ts';
import { ROOT } from './helpers/workspace.ts';

const CLI = join(ROOT, 'dist/node/cli.js');
const SECRET = 'whsec_cli_never_printed';
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, KROSAI_WEBHOOK_SECRET: '', ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function receiver(respond: Responder): Promise<TestServer> {
  const server = await startServer(respond);
  cleanups.push(server.close);
  return server;
}

/** A receiver that verifies with the SDK, as the app under test would: 204 when valid, 400 with the reason otherwise. */
const verifying: Responder = (request: RecordedRequest, response) => {
  verifyWebhook(request.body, request.headers, SECRET).then(
    () => response.writeHead(204).end(),
    (error) => response.writeHead(400).end(error.reason),
  );
};

describe('krosai-cockpit', () => {
  it('--help lists the commands and exits 0', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}mock /m);
    expect(stdout).toMatch(/^ {2}deliver /m);
  });

  it.each(['--version', '-v'])('%s prints the package’s version and exits 0', async (flag) => {
    expect(await cli([flag])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('an unknown command exits 2 and says so', async () => {
    const { code, stderr } = await cli(['serve']);
    expect(code).toBe(2);
    expect(stderr).toContain('krosai-cockpit: unknown command "serve"');
  });

  it('no command exits 2 with the usage', async () => {
    const { code, stderr } = await cli([]);
    expect(code).toBe(2);
    expect(stderr).toContain('Usage: krosai-cockpit <command>');
  });
});

describe('krosai-cockpit deliver', () => {
  it('--help shows its options and exits 0', async () => {
    const { code, stdout } = await cli(['deliver', '--help']);
    expect(code).toBe(0);
    for (const option of ['--to', '--event', '--secret', '--data']) expect(stdout).toContain(option);
  });

  it('sends a delivery that verifyWebhook accepts, prints the answer and exits 0', async () => {
    const endpoint = await receiver(verifying);
    const run = await cli([
      'deliver',
      '--to',
      `${endpoint.url}/hooks`,
      '--secret',
      SECRET,
      '--event',
      'call.completed',
      '--data',
      '{"call_id":"call_1"}',
    ]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(new RegExp(`^call\\.completed evt_[0-9a-f]{32} → ${endpoint.url}/hooks: the receiver answered 204$`, 'm'));
    const delivery = await verifyWebhook(endpoint.requests[0]!.body, endpoint.requests[0]!.headers, SECRET);
    expect(delivery).toMatchObject({ event: 'call.completed', data: { call_id: 'call_1' } });
  });

  it('reads the secret from KROSAI_WEBHOOK_SECRET when --secret is absent', async () => {
    const endpoint = await receiver(verifying);
    const { code } = await cli(['deliver', '--to', endpoint.url, '--event', 'call.failed'], { KROSAI_WEBHOOK_SECRET: SECRET });
    expect(code).toBe(0);
  });

  it('exits 1 and prints the receiver’s answer when it refuses the delivery', async () => {
    const endpoint = await receiver(verifying);
    const run = await cli(['deliver', '--to', endpoint.url, '--secret', 'whsec_the_wrong_one', '--event', 'call.completed']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('the receiver answered 400: not delivered');
    expect(run.stdout).toMatch(/^signature_mismatch$/m);
  });

  it('prints the receiver’s answer without terminal control characters', async () => {
    const endpoint = await receiver(reply(400, 'bad\u001b[2Jsignature'));
    const run = await cli(['deliver', '--to', endpoint.url, '--secret', SECRET, '--event', 'call.completed']);
    expect(run.stdout).toMatch(/^bad\?\[2Jsignature$/m);
  });

  it('exits 1 when nothing listens at --to', async () => {
    const closed = await startServer();
    await closed.close();
    const run = await cli(['deliver', '--to', closed.url, '--secret', SECRET, '--event', 'call.completed']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('could not connect to the receiver: ECONNREFUSED');
  });

  it('does not follow a redirect', async () => {
    const target = await receiver(reply(204));
    const redirecting = await receiver(reply(302, '', { location: target.url }));
    const run = await cli(['deliver', '--to', redirecting.url, '--secret', SECRET, '--event', 'call.completed']);
    expect(run.code).toBe(1);
    expect(target.requests).toEqual([]);
  });

  it.each([
    ['no --to', ['--secret', SECRET, '--event', 'call.completed'], '--to must be an http(s) URL'],
    ['a --to that is not http(s)', ['--to', 'ftp://example.com', '--secret', SECRET, '--event', 'x'], '--to must be an http(s) URL'],
    ['no --event', ['--to', 'http://127.0.0.1:9', '--secret', SECRET], '--event is required'],
    ['no secret', ['--to', 'http://127.0.0.1:9', '--event', 'call.completed'], '--secret (or KROSAI_WEBHOOK_SECRET) is required'],
    [
      '--data that is not JSON',
      ['--to', 'http://127.0.0.1:9', '--secret', SECRET, '--event', 'e', '--data', '{call'],
      '--data must be JSON',
    ],
    [
      '--data that is not an object',
      ['--to', 'http://127.0.0.1:9', '--secret', SECRET, '--event', 'e', '--data', '[1]'],
      '--data must be a JSON object',
    ],
    ['an unknown option', ['--to', 'http://127.0.0.1:9', '--secret', SECRET, '--event', 'e', '--sekret', 'x'], "Unknown option '--sekret'"],
    ['a stray argument', ['--to', 'http://127.0.0.1:9', '--event', 'e', SECRET], 'unexpected argument'],
  ])('with %s, exits 2 with a clear message', async (_case, args, message) => {
    const { code, stderr } = await cli(['deliver', ...args]);
    expect(code).toBe(2);
    expect(stderr).toContain(`krosai-cockpit: ${message}`);
  });

  it('never prints the secret, whatever happens', async () => {
    const endpoint = await receiver(reply(500, 'boom'));
    const runs = await Promise.all([
      cli(['deliver', '--to', endpoint.url, '--secret', SECRET, '--event', 'call.completed']),
      cli(['deliver', '--to', 'http://127.0.0.1:1', '--secret', SECRET, '--event', 'call.completed']),
      cli(['deliver', '--to', endpoint.url, '--event', 'call.completed', SECRET]),
      cli(['deliver', '--to', 'not a url', '--secret', SECRET, '--event', 'call.completed']),
      cli(['deliver', '--to', endpoint.url, '--secret', SECRET, '--event', 'call.completed', '--data', 'nope']),
    ]);
    for (const run of runs) expect(run.stdout + run.stderr).not.toContain(SECRET);
  });
});

describe('krosai-cockpit mock', () => {
  /** Starts `krosai-cockpit mock` and resolves once it prints where it listens. */
  function startMock(args: string[]): Promise<{ child: ChildProcess; url: string; output: () => string }> {
    const child = spawn(process.execPath, [CLI, 'mock', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    });
    return new Promise((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        output += chunk;
        const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
        if (url) resolve({ child, url, output: () => output });
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
    });
  }

  it('--help shows its options and exits 0', async () => {
    const { code, stdout } = await cli(['mock', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('--port <port>');
  });

  it('serves the stateful mock to the SDK, logs each request without secrets, and stops on SIGTERM', async () => {
    const { child, url, output } = await startMock(['--port', '0']);
    const kros = createKrosClient({ baseUrl: url, apiKey: 'kros_test_cli' });
    const created = await kros.webhooks.create({ url: 'https://example.com/hooks', events: ['call.completed'] });
    expect(await kros.webhooks.list()).toEqual([created]);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output()).toMatch(/^POST \/webhooks → 201$/m);
    expect(output()).toMatch(/^GET \/webhooks → 200$/m);
    expect(output()).not.toContain(created.secret);
    expect(output()).not.toContain('kros_test_cli');
    await expect(fetch(`${url}/webhooks`)).rejects.toThrow();
  });

  it('with --api-key, answers 401 to any other key', async () => {
    const { url } = await startMock(['--port', '0', '--api-key', 'kros_test_allowed']);
    const response = await fetch(`${url}/webhooks`, { headers: { authorization: 'Bearer kros_test_other' } });
    expect(response.status).toBe(401);
  });

  it('exits 1 with a clear message when the port is in use', async () => {
    const busy = await receiver(reply(200));
    const { code, stderr } = await cli(['mock', '--port', new URL(busy.url).port]);
    expect(code).toBe(1);
    expect(stderr).toContain(`krosai-cockpit: port ${new URL(busy.url).port} is in use: pick another with --port`);
  });

  it('exits 2 when --port is not a port number', async () => {
    const { code, stderr } = await cli(['mock', '--port', 'http']);
    expect(code).toBe(2);
    expect(stderr).toContain('--port must be 0 to 65535');
  });

  it('answers malformed request targets with a 4xx and keeps running', async () => {
    const { child, url } = await startMock(['--port', '0']);
    for (const target of ['//[', 'http://[', '//a:99999', 'http://%zz/']) {
      const answer = await rawExchange(url, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
      expect(answer, target).toMatch(/^HTTP\/1\.1 4\d\d /);
    }
    expect((await fetch(`${url}/webhooks`, { headers: { 'x-api-key': 'k' } })).status).toBe(200);
    expect(child.exitCode).toBeNull();
  });

  it('keeps running after a client hangs up in the middle of its body', async () => {
    const { child, url } = await startMock(['--port', '0']);
    const head = 'POST /webhooks HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: k\r\nContent-Length: 1000\r\n\r\n{"url":';
    await rawExchange(url, head, { hangUp: true });
    // The server notices the hang-up on its own time: ask until it has, or the process is gone.
    for (let i = 0; i < 20 && child.exitCode === null; i++) {
      expect((await fetch(`${url}/webhooks`, { headers: { 'x-api-key': 'k' } })).status).toBe(200);
    }
    expect(child.exitCode).toBeNull();
  });
});
