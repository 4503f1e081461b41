import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/workspace.ts';

const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
const snippets = [...readme.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((match) => match[1] ?? '');

describe('README.md', () => {
  it('shows examples/quickstart.ts, which the demo runs, as its quickstart', async () => {
    const quickstart = readme.slice(readme.indexOf('## Quickstart'));
    const firstBlock = quickstart.match(/^```ts\n([\s\S]*?)^```/m)?.[1];
    expect(firstBlock).toBe(await readFile(join(ROOT, 'examples/quickstart.ts'), 'utf8'));
  });

  it('has TypeScript examples that all type-check against the SDK', async () => {
    expect(snippets.length).toBeGreaterThanOrEqual(5);
    const dir = join(ROOT, 'test/.readme-snippets');
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../../tsconfig.json', include: ['*.ts'] }));
    await Promise.all(snippets.map((code, i) => writeFile(join(dir, `snippet-${i + 1}.ts`), code)));
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const output = await new Promise<string>((resolve) => {
      execFile(process.execPath, [tsc, '-p', dir], (error, stdout) => resolve(error ? stdout || String(error) : ''));
    });
    expect(output, 'type errors in README examples').toBe('');
    await rm(dir, { recursive: true, force: true });
  }, 60_000);
});
