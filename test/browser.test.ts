import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import chromium from '@sparticuz/chromium';
import { type Browser, chromium as playwright } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usePrism } from './helpers/prism.ts';
import { ROOT } from './helpers/workspace.ts';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript' };
/** What the page may load: the built browser bundle and its one dependency, through the page's import map. */
const SERVED = ['dist/web/', 'node_modules/openapi-fetch/dist/'];

let server: Server;
let origin: string;
let browser: Browser;
const prism = usePrism();

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).slice(1);
    const file = path === '' ? 'test/browser/page.html' : path;
    if (file !== 'test/browser/page.html' && !SERVED.some((prefix) => file.startsWith(prefix))) return response.writeHead(404).end();
    try {
      const body = await readFile(join(ROOT, file));
      response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Chromium from npm (the binary ships in @sparticuz/chromium), or the one CHROMIUM_PATH names. Its
  // flags are made for serverless functions; the one that turns CORS off must go, or "across origins" proves nothing.
  const executablePath = process.env.CHROMIUM_PATH || (await chromium.executablePath());
  browser = await playwright.launch({ executablePath, args: chromium.args.filter((arg) => arg !== '--disable-web-security') });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

describe('the built ESM bundle in headless Chromium', () => {
  it('calls Prism across origins with a token function, verifies a delivery, and guards live keys', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('requestfailed', (request) => problems.push(`${request.url()}: ${request.failure()?.errorText}`));
    await page.goto(`${origin}/?prism=${encodeURIComponent(prism.url)}`);
    await page.waitForFunction(() => document.querySelector('#result')?.textContent !== 'running…', undefined, { timeout: 20_000 });
    const result = JSON.parse((await page.textContent('#result')) ?? '{}');
    await page.screenshot({ path: join(ROOT, 'test-results-browser.png') });
    expect(problems).toEqual([]);
    expect(result).toEqual({
      listed: 1,
      created: expect.stringMatching(/^[0-9a-f-]{36}$/),
      tested: true,
      tokensIssued: 3,
      delivery: 'call.completed',
      tampered: 'signature_mismatch',
      liveKey: 'refused',
      allowedCount: 1,
      testKey: 1,
      violations: [],
    });
  }, 60_000);
});
