import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { EdgeVM } from '@edge-runtime/vm';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import vectors from './fixtures/signature-vectors.json' with { type: 'json' };
import { ENTRY_SOURCES, ROOT } from './helpers/workspace.ts';

const [vector] = vectors as [(typeof vectors)[number]];
let vm: EdgeVM;

beforeAll(async () => {
  // platform "neutral" fails the build on any node: import; the bundle is what an edge bundler makes.
  const { outputFiles } = await build({
    entryPoints: [`${ROOT}${ENTRY_SOURCES['./webhooks']}`],
    bundle: true,
    write: false,
    platform: 'neutral',
    format: 'iife',
    globalName: 'kros',
  });
  vm = new EdgeVM();
  vm.evaluate(outputFiles[0]!.text);
});

describe('the Web Crypto verifier in the Edge runtime (no Node APIs)', () => {
  it('runs where there is no Buffer and no process', () => {
    expect(vm.evaluate('typeof Buffer + " " + typeof process')).toBe('undefined undefined');
  });

  it('verifies a signed delivery', async () => {
    const call = `kros.verifyWebhook(${JSON.stringify(vector.body)}, new Headers({ 'x-webhook-signature': ${JSON.stringify(vector.signature)} }), ${JSON.stringify(vector.secret)}, { now: new Date('2026-01-01T12:00:00Z') })`;
    const delivery = await vm.evaluate(call);
    expect(JSON.parse(JSON.stringify(delivery))).toEqual(JSON.parse(vector.body));
  });

  it('verifies a Fetch Request', async () => {
    const call = `kros.verifyWebhookRequest(new Request('https://edge.example/hooks', { method: 'POST', headers: { 'x-webhook-signature': ${JSON.stringify(vector.signature)} }, body: ${JSON.stringify(vector.body)} }), ${JSON.stringify(vector.secret)}, { now: new Date('2026-01-01T12:00:00Z') })`;
    expect((await vm.evaluate(call)).id).toBe('evt_01HZX3Q6W3');
  });

  it('refuses a tampered delivery with its reason', async () => {
    const call = `kros.verifyWebhook(${JSON.stringify(vector.body.replace('42', '41'))}, ${JSON.stringify(vector.signature)}, ${JSON.stringify(vector.secret)}, { now: new Date('2026-01-01T12:00:00Z') }).catch((error) => error.name + ' ' + error.reason)`;
    expect(await vm.evaluate(call)).toBe('KrosSignatureError signature_mismatch');
  });

  it('signs as KrosAI does', async () => {
    expect(await vm.evaluate(`kros.signWebhookPayload(${JSON.stringify(vector.body)}, ${JSON.stringify(vector.secret)})`)).toBe(
      vector.signature,
    );
  });
});

describe('the Web Crypto build where there is no Web Crypto (Node 18 has no global crypto)', () => {
  /** Runs `code` against the built dist/web verifier in a Node process whose global `crypto` was deleted. */
  function withoutWebCrypto(code: string): Promise<string> {
    const entry = pathToFileURL(`${ROOT}dist/web/webhooks.js`).href;
    const script = `delete globalThis.crypto; const kros = await import(${JSON.stringify(entry)}); ${code}`;
    return new Promise((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], (error, stdout, stderr) =>
        error ? reject(new Error(stderr)) : resolve(stdout),
      );
    });
  }

  it('loads, and verifying rejects with a KrosError that says Web Crypto is missing and points to the node build', async () => {
    const args = `${JSON.stringify(vector.body)}, ${JSON.stringify(vector.signature)}, ${JSON.stringify(vector.secret)}`;
    const output = await withoutWebCrypto(`
      const errors = [await kros.verifyWebhook(${args}).catch((e) => e), await kros.signWebhookPayload(${JSON.stringify(vector.body)}, 'whsec_x').catch((e) => e)];
      console.log(JSON.stringify(errors.map((e) => [e instanceof kros.KrosError, e.name, e.message])));`);
    const message = "Web Crypto (globalThis.crypto) is missing: on Node 18, use the package's `node` build";
    expect(JSON.parse(output)).toEqual([
      [true, 'KrosError', message],
      [true, 'KrosError', message],
    ]);
  });
});
