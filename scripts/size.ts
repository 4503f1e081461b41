/**
 * `npm run size`: the cost of each entry to a browser bundle, as a consumer's bundler would make it
 * (everything the entry exports, its dependencies included, minified), compressed with brotli.
 * Fails when an entry is over its budget or pulls in what it must not.
 */

import { readFileSync } from 'node:fs';
import { brotliCompressSync } from 'node:zlib';
import { build } from 'esbuild';

interface Budget {
  entry: string;
  what: string;
  maxBrotliBytes: number;
  /** What the consumer imports, when not everything: a bundler drops the rest. */
  imports?: string[];
  /** A module path that must not be among the bundle's inputs, nor bundled into the entry's file. */
  mustNotContain?: string;
  /** Text that must not appear in the bundled code: a marker of code that belongs elsewhere. */
  mustNotInclude?: string;
}

/** A string only the testing kit's code holds (its mock's base URL): the client and verifier bundles must not. */
const TESTING_KIT = 'api.krosai.test';

const VERIFIER = ['verifyWebhook', 'verifyWebhookRequest', 'signWebhookPayload'];

/** Each a little over what the entry weighs now: a change that adds weight has to raise its budget, and say why. */
const BUDGETS: Budget[] = [
  {
    entry: 'dist/web/index.js',
    what: 'client: facade, errors, retries, verifier, openapi-fetch',
    maxBrotliBytes: 11_720,
    // OpenTelemetry is found at run time, never imported: an import would break apps without it.
    mustNotContain: 'node_modules/@opentelemetry',
    mustNotInclude: TESTING_KIT,
  },
  {
    entry: 'dist/web/webhooks.js',
    what: 'verifier only (verifyWebhook, verifyWebhookRequest, signWebhookPayload, errors)',
    imports: [...VERIFIER, 'KrosSignatureError', 'KrosTimeoutError', 'KrosValidationError', 'KrosError'],
    maxBrotliBytes: 2_300,
    mustNotContain: 'node_modules/openapi-fetch',
    mustNotInclude: TESTING_KIT,
  },
  // What a receiver imports: at most 1,500 B over the verifier-only import (2,282 B when set).
  {
    entry: 'dist/web/webhooks.js',
    what: 'webhook handler (createWebhookHandler, memoryStore)',
    imports: ['createWebhookHandler', 'memoryStore'],
    maxBrotliBytes: 2_282 + 1_500,
    mustNotContain: 'node_modules/openapi-fetch',
    mustNotInclude: TESTING_KIT,
  },
  { entry: 'dist/web/webhooks.js', what: 'the whole @krosai/cockpit/webhooks entry, stores included', maxBrotliBytes: 4_750 },
  // Never in an app's bundle unless imported: its budget only catches a dependency creeping in.
  { entry: 'dist/web/testing.js', what: 'testing kit (@krosai/cockpit/testing), separate entry', maxBrotliBytes: 7_000 },
];

export async function measure(
  entry: string,
  imports?: string[],
): Promise<{ minified: number; brotli: number; inputs: string[]; code: string }> {
  const result = await build({
    stdin: { contents: `export ${imports ? `{ ${imports.join(', ')} }` : '*'} from './${entry}';`, resolveDir: process.cwd() },
    bundle: true,
    minify: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    metafile: true,
  });
  const [output] = result.outputFiles;
  const code = (output as { contents: Uint8Array }).contents;
  return {
    minified: code.length,
    brotli: brotliCompressSync(code).length,
    inputs: Object.keys(result.metafile.inputs),
    code: new TextDecoder().decode(code),
  };
}

let failed = false;
for (const budget of BUDGETS) {
  const { minified, brotli, inputs, code } = await measure(budget.entry, budget.imports);
  const over = brotli > budget.maxBrotliBytes;
  // A dependency bundled into dist would be no input here: the path comment heading its code shows it.
  const sources = [...inputs, readFileSync(budget.entry, 'utf8')];
  const forbidden = budget.mustNotContain && sources.some((source) => source.includes(budget.mustNotContain as string));
  const intruder = budget.mustNotInclude && code.includes(budget.mustNotInclude);
  failed ||= over || Boolean(forbidden) || Boolean(intruder);
  console.log(
    `${over || forbidden || intruder ? 'FAIL' : 'ok  '} ${budget.what}: ${minified} B minified, ${brotli} B brotli (budget ${budget.maxBrotliBytes} B)` +
      (forbidden ? `; contains ${budget.mustNotContain}` : '') +
      (budget.mustNotInclude ? (intruder ? '; contains testing-kit code' : '; no testing-kit code') : ''),
  );
}
process.exitCode = failed ? 1 : 0;
