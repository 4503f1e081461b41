import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/workspace.ts';

// The README and every page of docs/ are checked the same way.
const PAGES = ['README.md', ...(await readdir(join(ROOT, 'docs'))).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
const pages = await Promise.all(PAGES.map(async (path) => ({ path, text: await readFile(join(ROOT, path), 'utf8') })));

// A block after `<!-- example: path -->` copies that file. The demo runs examples/quickstart.ts,
// test/receive.test.ts runs the receiver recipes, and examples/**/*.test.ts are in the vitest run.
const examples = pages.flatMap(({ path: page, text }) =>
  [...text.matchAll(/^<!-- example: (\S+) -->\n```ts\n([\s\S]*?)^```/gm)].map(([, path, code]) => ({ page, path: path as string, code })),
);
// Every other ts block is type-checked on its own.
const snippets = pages.flatMap(({ path: page, text }) =>
  [...text.matchAll(/(<!-- example: \S+ -->\n)?^```ts\n([\s\S]*?)^```/gm)]
    .filter(([, example]) => !example)
    .map(([, , code], i) => ({ name: `${page.replace(/\W+/g, '-')}-${i + 1}.ts`, code: code as string })),
);

async function exampleFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(join(ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) files.push(...(await exampleFiles(path)));
    else if (entry.name.endsWith('.ts')) files.push(path);
  }
  return files;
}

/** GitHub's anchor for a heading. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

describe('README.md and docs/', () => {
  it('keep the README short, with the quickstart inline and one receiver recipe', () => {
    const readme = pages.find(({ path }) => path === 'README.md')?.text ?? '';
    const lines = readme.trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(400);
    expect(lines.indexOf('<!-- example: examples/quickstart.ts -->') + 1).toBeGreaterThan(0);
    expect(lines.indexOf('<!-- example: examples/quickstart.ts -->') + 1).toBeLessThanOrEqual(80);
    expect(examples.filter(({ page }) => page === 'README.md').map(({ path }) => path)).toEqual([
      'examples/quickstart.ts',
      'examples/receive-fetch.ts',
      'examples/testing/receive-every-format.test.ts',
    ]);
  });

  it('show every example file somewhere', async () => {
    const shown = new Set(examples.map(({ path }) => path));
    expect([...shown].sort()).toEqual((await exampleFiles('examples')).sort());
  });

  it('show testing examples that the test run includes', async () => {
    const { default: config } = await import('../vitest.config.ts');
    const include = config.test?.projects?.flatMap((project) =>
      typeof project === 'object' && 'test' in project ? (project.test?.include ?? []) : [],
    );
    expect(include).toContain('examples/**/*.test.ts');
  });

  it.each(examples.map(({ page, path, code }) => [page, path, code]))(
    '%s shows %s exactly as the file that runs',
    async (_page, path, code) => {
      expect(code).toBe(await readFile(join(ROOT, path as string), 'utf8'));
    },
  );

  it('link only to files and headings that exist', () => {
    const anchors = new Map(
      pages.map(({ path, text }) => [path, new Set([...text.matchAll(/^#+ (.+)$/gm)].map(([, heading]) => anchorOf(heading as string)))]),
    );
    const broken = pages.flatMap(({ path: page, text }) =>
      [...text.matchAll(/\]\(([^)\s]+)\)/g)]
        .map(([, link]) => link as string)
        .filter((link) => !/^[a-z]+:/.test(link))
        .filter((link) => {
          const [file, anchor] = link.split('#') as [string, string | undefined];
          const target = file ? relative(ROOT, join(ROOT, dirname(page), file)) : page;
          if (!existsSync(join(ROOT, target))) return true;
          return anchor !== undefined && anchors.has(target) && !anchors.get(target)?.has(anchor);
        })
        .map((link) => `${page}: ${link}`),
    );
    expect(broken).toEqual([]);
  });

  it('have TypeScript examples that all type-check against the SDK', async () => {
    expect(snippets.length).toBeGreaterThanOrEqual(10);
    // A directory of this run's own (a second run may be checking beside it), inside the repository
    // so that the snippets' imports resolve from its node_modules.
    await mkdir(join(ROOT, 'test/.readme-snippets'), { recursive: true });
    const dir = await mkdtemp(join(ROOT, 'test/.readme-snippets/run-'));
    const files = [...new Set(examples.map(({ path }) => `../../../${path}`))];
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../../../tsconfig.json', include: ['*.ts', ...files] }));
    try {
      await Promise.all(snippets.map(({ name, code }) => writeFile(join(dir, name), code)));
      const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
      const output = await new Promise<string>((resolve) => {
        execFile(process.execPath, [tsc, '-p', dir], (error, stdout) => resolve(error ? stdout || String(error) : ''));
      });
      expect(output, 'type errors in the examples of README.md or docs/').toBe('');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
