/**
 * Every TypeScript setup a consumer may have compiles against the packed package: `moduleResolution`
 * node10 / node16 / bundler × `module` commonjs / esnext × `target` ES5 / ES2017 / ES2022, with
 * `strict`, `exactOptionalPropertyTypes` and `skipLibCheck: false`, on TypeScript 5.4 (the oldest the
 * README promises), 5.9 (the one the package is built with) and 7 (the native compiler).
 *
 * Where a TypeScript refuses a combination, the cell compiles the nearest one it accepts, and its
 * test name says which (the table is in docs/runtimes.md). TypeScript 5 runs in this process: half
 * the CPU of a `tsc` process per cell. TypeScript 7 is a native binary, run one process at a time.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type * as TS from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPacked } from './helpers/workspace.ts';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

const RESOLUTIONS = ['node10', 'node16', 'bundler'] as const;
const MODULES = ['commonjs', 'esnext'] as const;
const TARGETS = ['es5', 'es2017', 'es2022'] as const;

// Each cell imports the three entries as namespaces, with `import` or, where the file is CommonJS
// under module preserve, `import = require()`: one body serves both.
const IMPORTS = {
  import: `import * as sdk from '@krosai/cockpit';
import * as webhooks from '@krosai/cockpit/webhooks';
import * as testing from '@krosai/cockpit/testing';`,
  require: `import sdk = require('@krosai/cockpit');
import webhooks = require('@krosai/cockpit/webhooks');
import testing = require('@krosai/cockpit/testing');`,
};
const BODY = `
const mock = testing.createMockKrosApi({ apiKeys: ['kros_test_x'] });
const kros = sdk.createKrosClient({ fetch: mock.fetch, baseUrl: mock.baseUrl, apiKey: async () => 'kros_test_x' });
const body: sdk.WebhookCreate = { url: 'https://example.com/hooks', events: ['call.completed'] };
export const created: Promise<sdk.Webhook> = kros.webhooks.create(body);
export const delivery: Promise<webhooks.WebhookDelivery> = testing
  .createSignedDelivery('call.completed', {}, 'whsec_x')
  .then((signed: testing.SignedDelivery) => webhooks.verifyWebhook(signed.body, signed.headers, 'whsec_x'));
export function describeError(error: unknown): string {
  if (error instanceof sdk.KrosNotFoundError) return 'no such webhook: ' + error.status;
  if (error instanceof webhooks.KrosSignatureError) return error.reason;
  return error instanceof sdk.KrosError ? error.message : 'not ours';
}
// @ts-expect-error the spec has no such event: were the types lost to \`any\`, this line would fail the cell.
kros.webhooks.create({ url: 'https://example.com/hooks', events: ['call.exploded'] });
`;

interface Cell {
  name: string;
  compilerOptions: Record<string, unknown>;
  /** The `type` of the cell's package.json, which makes its file CommonJS or ESM under node16. */
  type: 'commonjs' | 'module';
  syntax: keyof typeof IMPORTS;
}

/** The cell as TypeScript `major` accepts it; `as` says what it changed. */
function cellOf(major: number, resolution: string, module: string, target: string): Cell {
  const options: Record<string, string> = { moduleResolution: resolution, module, target };
  const type = module === 'commonjs' ? 'commonjs' : 'module';
  let syntax: Cell['syntax'] = 'import';
  const as: string[] = [];
  // node16 resolution requires module node16 (TS5110); the package.json type then decides the format.
  if (resolution === 'node16') {
    options.module = 'node16';
    as.push(`module node16, type ${type}`);
  }
  // Before TypeScript 6, bundler resolution requires an ES module kind (TS5095). module preserve
  // with `import = require()` resolves as a bundler does a require().
  if (resolution === 'bundler' && module === 'commonjs' && major < 6) {
    options.module = 'preserve';
    syntax = 'require';
    as.push('module preserve, import = require()');
  }
  // TypeScript 7 removed node10 resolution and target ES5 (TS5108): its default resolution, and ES2015.
  if (major >= 7 && resolution === 'node10') {
    delete options.moduleResolution;
    as.push('moduleResolution unset');
  }
  if (major >= 7 && target === 'es5') {
    options.target = 'es2015';
    as.push('target es2015');
  }
  return {
    name: `${resolution} × ${module} × ${target}${as.length ? ` (as ${as.join('; ')})` : ''}`,
    compilerOptions: {
      ...options,
      lib: ['es2022', 'dom'],
      types: [],
      strict: true,
      exactOptionalPropertyTypes: true,
      skipLibCheck: false,
      // TypeScript's own lib files are not ours to check; skipping them takes 5.9 from 37 s to 23 s
      // for its 18 cells, and every declaration file of the package and its dependencies is still checked.
      skipDefaultLibCheck: true,
      noEmit: true,
    },
    type,
    syntax,
  };
}

/** TypeScript 5, in this process: the diagnostics of the cell in `dir`, formatted, or ''. */
function inProcess(ts: typeof TS) {
  return async (dir: string): Promise<string> => {
    const host = {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic: TS.Diagnostic) => expect.fail(String(diagnostic.messageText)),
    };
    // Undefined only where onUnRecoverableConfigFileDiagnostic has already failed the test.
    const config = ts.getParsedCommandLineOfConfigFile(join(dir, 'tsconfig.json'), undefined, host)!;
    const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, configFileParsingDiagnostics: config.errors });
    const format = { getCanonicalFileName: (name: string) => name, getCurrentDirectory: () => dir, getNewLine: () => '\n' };
    return ts.formatDiagnostics(ts.getPreEmitDiagnostics(program), format);
  };
}

/** TypeScript 7, the native `tsc`, one process per cell. */
function native(tsc: string) {
  return (dir: string): Promise<string> =>
    run(process.execPath, [tsc, '-p', dir], { cwd: dir }).then(
      () => '',
      (error) => String(error.stdout || error),
    );
}

const COMPILERS = [
  { version: require('typescript-5.4').version as string, compile: inProcess(require('typescript-5.4')) },
  { version: require('typescript').version as string, compile: inProcess(require('typescript')) },
  {
    version: require('typescript-7/package.json').version as string,
    compile: native(join(dirname(require.resolve('typescript-7/package.json')), 'bin/tsc')),
  },
];

let consumer: string;
beforeAll(async () => {
  consumer = await installPacked('kros-ts-setups-');
}, 120_000);
afterAll(() => rm(consumer, { recursive: true, force: true }));

it('compiles every cell in a consumer without @opentelemetry/api, an optional peer npm does not install', () => {
  expect(existsSync(join(consumer, 'node_modules/@krosai/cockpit/package.json'))).toBe(true);
  expect(existsSync(join(consumer, 'node_modules/@opentelemetry/api'))).toBe(false);
});

for (const { version, compile } of COMPILERS) {
  describe(`TypeScript ${version}`, () => {
    const major = Number.parseInt(version, 10);
    for (const resolution of RESOLUTIONS) {
      for (const module of MODULES) {
        for (const target of TARGETS) {
          const { name, compilerOptions, type, syntax } = cellOf(major, resolution, module, target);
          it(`compiles ${name}`, async () => {
            const dir = join(consumer, `ts${version}`, name.replace(/\W+/g, '-'));
            await mkdir(dir, { recursive: true });
            await writeFile(join(dir, 'package.json'), JSON.stringify({ type }));
            await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }));
            await writeFile(join(dir, 'consumer.ts'), IMPORTS[syntax] + BODY);
            expect(await compile(dir)).toBe('');
          }, 60_000);
        }
      }
    }
  });
}
