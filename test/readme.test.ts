import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/workspace.ts';

const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
// Blocks that copy an example file are type-checked as that file, where its relative imports resolve.
const snippets = [...readme.matchAll(/(<!-- example: \S+ -->\n)?^```ts\n([\s\S]*?)^```/gm)]
  .filter(([, example]) => !example)
  .map((match) => match[2] ?? '');

describe('README.md', () => {
  // The demo runs examples/quickstart.ts, test/receive.test.ts runs the receiver recipes, and the
  // examples/**/*.test.ts files are themselves in the vitest run (vitest.config.ts).
  const examples = [...readme.matchAll(/^<!-- example: (\S+) -->\n```ts\n([\s\S]*?)^```/gm)];

  it('shows the quickstart, the four receiver recipes and the testing examples', () => {
    expect(examples.map(([, path]) => path)).toEqual([
      'examples/quickstart.ts',
      'examples/receive-node-http.ts',
      'examples/receive-express.ts',
      'examples/receive-fetch.ts',
      'examples/receive-once.ts',
      'examples/testing/register-webhook.ts',
      'examples/testing/register-webhook.test.ts',
      'examples/testing/receive-fetch.test.ts',
    ]);
  });

  it('shows testing examples that the test run includes', async () => {
    const { default: config } = await import('../vitest.config.ts');
    const include = config.test?.projects?.flatMap((project) =>
      typeof project === 'object' && 'test' in project ? (project.test?.include ?? []) : [],
    );
    expect(include).toContain('examples/**/*.test.ts');
  });

  it.each(examples.map(([, path, code]) => [path, code]))('shows %s exactly as the file that runs', async (path, code) => {
    expect(code).toBe(await readFile(join(ROOT, path as string), 'utf8'));
  });

  it('has TypeScript examples that all type-check against the SDK', async () => {
    expect(snippets.length).toBeGreaterThanOrEqual(5);
    // A directory of this run's own (a second run may be checking the README beside it), inside the
    // repository so that the snippets' imports resolve from its node_modules.
    await mkdir(join(ROOT, 'test/.readme-snippets'), { recursive: true });
    const dir = await mkdtemp(join(ROOT, 'test/.readme-snippets/run-'));
    const exampleFiles = examples.map(([, path]) => `../../../${path}`);
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../../../tsconfig.json', include: ['*.ts', ...exampleFiles] }));
    try {
      await Promise.all(snippets.map((code, i) => writeFile(join(dir, `snippet-${i + 1}.ts`), code)));
      const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
      const output = await new Promise<string>((resolve) => {
        execFile(process.execPath, [tsc, '-p', dir], (error, stdout) => resolve(error ? stdout || String(error) : ''));
      });
      expect(output, 'type errors in README examples').toBe('');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
