import { execFile } from 'node:child_process';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPacked, ROOT } from './helpers/workspace.ts';

const run = promisify(execFile);
let consumer: string;

beforeAll(async () => {
  consumer = await installPacked('kros-consumer-');
}, 120_000);
afterAll(() => rm(consumer, { recursive: true, force: true }));

async function node(file: string, code: string): Promise<unknown> {
  await writeFile(join(consumer, file), code);
  const { stdout } = await run(process.execPath, [file], { cwd: consumer });
  return JSON.parse(stdout);
}

const SIGNED = `
  const body = '{"id":"evt_1","event":"call.completed","timestamp":"' + new Date().toISOString() + '","data":{}}';
  const signature = await signWebhookPayload(body, 'whsec_x');
  const delivery = await verifyWebhook(body, signature, 'whsec_x');`;

describe('the packed package', () => {
  it('ships only dist, the spec and the package files', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], { cwd: ROOT });
    const files: string[] = JSON.parse(stdout)[0].files.map((file: { path: string }) => file.path);
    expect(files.filter((path) => !path.startsWith('dist/')).sort()).toEqual(['README.md', 'openapi/krosai-cockpit.json', 'package.json']);
  });

  it('serves the testing kit, whose errors are the root entry’s classes, and the spec as @krosai/cockpit/openapi.json', async () => {
    const result = await node(
      'testing.mjs',
      `import { createKrosClient, KrosValidationError } from '@krosai/cockpit';
       import { createMockKrosApi } from '@krosai/cockpit/testing';
       import spec from '@krosai/cockpit/openapi.json' with { type: 'json' };
       const mock = createMockKrosApi();
       const kros = createKrosClient({ fetch: mock.fetch, baseUrl: mock.baseUrl, apiKey: 'kros_test_x' });
       await kros.webhooks.create({ url: 'https://example.com/hooks', events: ['call.completed'] });
       const server = await mock.listen();
       const overHttp = await createKrosClient({ baseUrl: server.url, apiKey: 'kros_test_x' }).webhooks.list();
       await server.close();
       let refused;
       try { mock.failNext({ status: 200 }); } catch (error) { refused = error; }
       console.log(JSON.stringify({
         listed: overHttp.length,
         sameErrorClass: refused instanceof KrosValidationError,
         spec: spec.info.title,
         resolved: import.meta.resolve('@krosai/cockpit/testing'),
       }));`,
    );
    expect(result).toMatchObject({ listed: 1, sameErrorClass: true, spec: 'KrosAI Cockpit API' });
    expect((result as { resolved: string }).resolved).toMatch(/\/dist\/node\/testing\.js$/);
  });

  it('installs the krosai-cockpit command', async () => {
    const { stdout } = await run(join(consumer, 'node_modules/.bin/krosai-cockpit'), ['deliver', '--help']);
    expect(stdout).toContain('Usage: krosai-cockpit deliver');
  });

  it('works with ESM import, on node:crypto under Node', async () => {
    const result = await node(
      'esm.mjs',
      `import { createKrosClient, KrosError, signWebhookPayload, verifyWebhook, WEBHOOK_EVENTS } from '@krosai/cockpit';
       import * as verifierOnly from '@krosai/cockpit/webhooks';
       ${SIGNED}
       const refused = await verifierOnly.verifyWebhook(body, 'sha256=' + '0'.repeat(64), 'whsec_x').catch((e) => e);
       console.log(JSON.stringify({
         client: typeof createKrosClient({ apiKey: 'kros_test_x' }).webhooks.list,
         events: WEBHOOK_EVENTS.length,
         event: delivery.event,
         oneErrorClass: refused instanceof KrosError,
         resolved: import.meta.resolve('@krosai/cockpit/webhooks'),
       }));`,
    );
    expect(result).toMatchObject({ client: 'function', events: 7, event: 'call.completed', oneErrorClass: true });
    expect((result as { resolved: string }).resolved).toMatch(/\/dist\/node\/webhooks\.js$/);
  });

  it('works with CommonJS require', async () => {
    const result = await node(
      'cjs.cjs',
      `const { createKrosClient, signWebhookPayload, verifyWebhook } = require('@krosai/cockpit');
       const verifierOnly = require('@krosai/cockpit/webhooks');
       (async () => {
         ${SIGNED}
         console.log(JSON.stringify({
           client: typeof createKrosClient({ apiKey: 'kros_test_x' }).webhooks.create,
           event: delivery.event,
           verifierOnly: typeof verifierOnly.verifyWebhook,
           resolved: require.resolve('@krosai/cockpit'),
         }));
       })();`,
    );
    expect(result).toMatchObject({ client: 'function', event: 'call.completed', verifierOnly: 'function' });
    expect((result as { resolved: string }).resolved).toMatch(/\/dist\/node\/index\.cjs$/);
  });

  it('runs every build with openapi-fetch, its one runtime dependency, at the pinned version', async () => {
    const pinned = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')).dependencies['openapi-fetch'];
    const installed = JSON.parse(await readFile(join(consumer, 'node_modules/openapi-fetch/package.json'), 'utf8')).version;
    expect(installed).toBe(pinned);
    const result = await node(
      'builds.mjs',
      `import { createRequire } from 'node:module';
       const builds = [
         await import('@krosai/cockpit'),
         createRequire(import.meta.url)('@krosai/cockpit'),
         await import('./node_modules/@krosai/cockpit/dist/web/index.js'),
         createRequire(import.meta.url)('./node_modules/@krosai/cockpit/dist/web/index.cjs'),
       ];
       console.log(JSON.stringify(builds.map((sdk) => typeof sdk.createKrosClient({ apiKey: 'kros_test_x' }).raw.GET)));`,
    );
    expect(result).toEqual(['function', 'function', 'function', 'function']);
  });

  it('runs the verifier entry without openapi-fetch installed: it never loads the client', async () => {
    const installed = join(consumer, 'node_modules/openapi-fetch');
    await rename(installed, `${installed}-away`);
    try {
      const result = await node(
        'verifier-only.mjs',
        `import { createRequire } from 'node:module';
         const builds = [
           await import('@krosai/cockpit/webhooks'),
           createRequire(import.meta.url)('@krosai/cockpit/webhooks'),
           await import('./node_modules/@krosai/cockpit/dist/web/webhooks.js'),
         ];
         console.log(JSON.stringify(builds.map((sdk) => typeof sdk.verifyWebhook)));`,
      );
      expect(result).toEqual(['function', 'function', 'function']);
    } finally {
      await rename(`${installed}-away`, installed);
    }
  });

  it('keeps instanceof true across the CommonJS, ES module and web builds, for every error class', async () => {
    const result = await node(
      'dual.mjs',
      `import { createRequire } from 'node:module';
       import * as esm from '@krosai/cockpit';
       const cjs = createRequire(import.meta.url)('@krosai/cockpit');
       const web = await import('./node_modules/@krosai/cockpit/dist/web/index.js');
       const names = Object.keys(esm).filter((name) => name.startsWith('Kros') && name.endsWith('Error'));
       const make = (lib, name) => {
         if (name === 'KrosSignatureError') return new lib[name]('signature_mismatch', 'x');
         const Class = lib[name];
         return Class.prototype instanceof lib.KrosApiError || Class === lib.KrosApiError
           ? new Class('x', new Response(null, { status: 404 }))
           : new Class('x');
       };
       const mismatches = [];
       for (const [from, to] of [[cjs, esm], [esm, cjs], [web, esm], [cjs, web]]) {
         for (const made of names) {
           for (const checked of names) {
             const expected = make(esm, made) instanceof esm[checked];
             if ((make(from, made) instanceof to[checked]) !== expected) mismatches.push(made + ' vs ' + checked);
           }
         }
       }
       const thrown = await cjs.createKrosClient({ apiKey: 'kros_test_x' }).webhooks.get('not-a-uuid').catch((e) => e);
       console.log(JSON.stringify({
         classes: names.length,
         mismatches,
         thrownIsValidation: thrown instanceof esm.KrosValidationError && thrown instanceof esm.KrosError,
         thrownIsApiError: thrown instanceof esm.KrosApiError,
         plainError: new Error('x') instanceof esm.KrosError,
         notAnObject: 'KrosError' instanceof esm.KrosError,
       }));`,
    );
    expect(result).toEqual({
      classes: 16,
      mismatches: [],
      thrownIsValidation: true,
      thrownIsApiError: false,
      plainError: false,
      notAnObject: false,
    });
  });
});
