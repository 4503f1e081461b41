import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyWorkspace, REFERENCE_PAGE, ROOT, type Workspace } from './helpers/workspace.ts';

const run = promisify(execFile);
const FIXTURES = join(ROOT, 'test/fixtures/specs');
const read = (workspace: Workspace, path: string) => readFile(join(workspace.dir, path), 'utf8');

// Each test runs `npm run spec:update` for real in a scratch copy of the repository.
describe('npm run spec:update', { timeout: 60_000 }, () => {
  let workspace: Workspace;
  let vendored: { spec: string; generated: string };
  beforeEach(async () => {
    workspace = await copyWorkspace();
    vendored = { spec: await read(workspace, 'openapi/krosai-cockpit.json'), generated: await read(workspace, 'src/generated/api.ts') };
  });
  afterEach(() => workspace.remove());

  async function expectNothingChanged() {
    expect(await read(workspace, 'openapi/krosai-cockpit.json')).toBe(vendored.spec);
    expect(await read(workspace, 'src/generated/api.ts')).toBe(vendored.generated);
    expect((await readdir(join(workspace.dir, '.changeset'))).filter((file) => file.startsWith('krosai-api-'))).toEqual([]);
  }

  describe('a non-breaking bump (YAML)', () => {
    beforeEach(async () => {
      const result = await workspace.run('spec:update', join(FIXTURES, 'non-breaking-1.4.0.yaml'));
      expect(result.code, result.stderr).toBe(0);
      Object.assign(vendored, { report: result.stdout });
    }, 60_000);

    it('reports each change as non-breaking', () => {
      const report = (vendored as unknown as { report: string }).report;
      expect(report).toContain('KrosAI Cockpit API 1.3.0 → 1.4.0: 0 breaking, 4 non-breaking change(s)');
      expect(report).toMatch(
        /^non-breaking {2}added enum value "call.transferred" at events\[\] {2}\(GET \/webhooks response 200; POST \/webhooks request body;/m,
      );
      expect(report).toMatch(
        /^non-breaking {2}new optional field description {2}\(GET \/webhooks response 200; POST \/webhooks request body;/m,
      );
      expect(report).toContain('non-breaking  new operation (typed at once in kros.raw)  (POST /webhooks/{id}/rotate-secret)');
    });

    it('vendors the new spec and regenerates the code, which then passes check:generated', async () => {
      expect(JSON.parse(await read(workspace, 'openapi/krosai-cockpit.json')).info.version).toBe('1.4.0');
      expect(await read(workspace, 'src/generated/api.ts')).toContain('"/webhooks/{id}/rotate-secret"');
      expect(await workspace.run('check:generated')).toMatchObject({ code: 0 });
    });

    it('writes a minor changeset draft', async () => {
      const draft = await read(workspace, '.changeset/krosai-api-1.4.0.md');
      expect(draft).toMatch(/^---\n'@krosai\/cockpit': minor\n---\n\nKrosAI Cockpit API spec 1.3.0 → 1.4.0:\n/);
      expect(draft).toContain('- new operation (typed at once in kros.raw) (POST /webhooks/{id}/rotate-secret)');
    });

    it('puts the new event in WEBHOOK_EVENTS and WebhookEvent, and types the new operation in kros.raw, with no hand edit', async () => {
      // Type-checked only, never run: it would send requests.
      await writeFile(
        join(workspace.dir, 'consumer.ts'),
        `import type { KrosClient, WebhookEvent } from './src/index.ts';
         export const event: WebhookEvent = 'call.transferred';
         export async function rotate(kros: KrosClient): Promise<string | undefined> {
           // @ts-expect-error the path parameter is required
           kros.raw.POST('/webhooks/{id}/rotate-secret', {});
           const { data } = await kros.raw.POST('/webhooks/{id}/rotate-secret', { params: { path: { id: 'x' } } });
           return data?.secret;
         }
        `,
      );
      await writeFile(
        join(workspace.dir, 'tsconfig.consumer.json'),
        JSON.stringify({ extends: './tsconfig.json', include: ['consumer.ts'] }),
      );
      const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
      await expect(run(process.execPath, [tsc, '-p', 'tsconfig.consumer.json'], { cwd: workspace.dir })).resolves.toBeDefined();
      await writeFile(
        join(workspace.dir, 'events.ts'),
        `import { WEBHOOK_EVENTS } from './src/index.ts';\nconsole.log(JSON.stringify({ known: WEBHOOK_EVENTS.includes('call.transferred') }));\n`,
      );
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'events.ts'], { cwd: workspace.dir });
      expect(JSON.parse(stdout)).toEqual({ known: true });
    });
  });

  it('refuses a breaking bump, changes nothing, and says why', async () => {
    const { code, stdout, stderr } = await workspace.run('spec:update', join(FIXTURES, 'breaking-2.0.0.json'));
    expect(code).toBe(1);
    expect(stdout).toContain('KrosAI Cockpit API 1.3.0 → 2.0.0: 3 breaking, 1 non-breaking change(s)');
    expect(stdout).toContain('BREAKING      new required query parameter status  (GET /webhooks)');
    expect(stdout).toMatch(/^BREAKING {6}removed field secret {2}\(GET \/webhooks response 200; POST \/webhooks response 201;/m);
    expect(stdout).toMatch(/^BREAKING {6}removed enum value "number.released" at events\[\]/m);
    expect(stderr).toContain('breaking changes for SDK users, nothing changed. Re-run with --allow-breaking');
    await expectNothingChanged();
  });

  it('applies a breaking bump with --allow-breaking and drafts a major changeset', async () => {
    const { code } = await workspace.run('spec:update', join(FIXTURES, 'breaking-2.0.0.json'), '--allow-breaking');
    expect(code).toBe(0);
    expect(JSON.parse(await read(workspace, 'openapi/krosai-cockpit.json')).info.version).toBe('2.0.0');
    expect(await read(workspace, '.changeset/krosai-api-2.0.0.md')).toMatch(/^---\n'@krosai\/cockpit': major\n---/);
  });

  it('refuses an invalid spec and changes nothing', async () => {
    const { code, stderr } = await workspace.run('spec:update', join(FIXTURES, 'invalid-dangling-ref.json'));
    expect(code).toBe(1);
    expect(stderr).toContain('is not a valid OpenAPI document, nothing changed');
    expect(stderr).toContain('#/components/schemas/Hook');
    await expectNothingChanged();
  });

  it('takes a reference page too, and reports no change for the page the spec came from', async () => {
    const { code, stdout } = await workspace.run('spec:update', REFERENCE_PAGE);
    expect(code).toBe(0);
    expect(stdout).toContain('KrosAI Cockpit API 1.3.0 → 1.3.0: 0 breaking, 0 non-breaking change(s)');
    await expectNothingChanged();
  });

  describe('a hostile spec', () => {
    /** The vendored spec with `edit` applied, written into the workspace as `name`. */
    // biome-ignore lint/suspicious/noExplicitAny: a spec is arbitrary JSON.
    async function specWith(name: string, edit: (spec: Record<string, any>) => void): Promise<string> {
      const spec = JSON.parse(vendored.spec);
      edit(spec);
      const path = join(workspace.dir, name);
      await writeFile(path, JSON.stringify(spec));
      return path;
    }

    it('refuses a $ref to a local file, naming it, and reads nothing from it', async () => {
      const secretFile = join(workspace.dir, 'secrets.env');
      await writeFile(secretFile, '"KROSAI_API_KEY=kros_live_LEAKED"');
      const input = await specWith('file-ref.json', (spec) => {
        spec.info.version = '1.3.1';
        spec.components.schemas.Webhook.description = { $ref: secretFile };
        spec.components.schemas.Webhook.example = { $ref: '/etc/passwd' };
      });
      const { code, stdout, stderr } = await workspace.run('spec:update', input);
      expect(code).toBe(1);
      expect(stderr).toContain(`the $ref "${secretFile}"`);
      expect(stderr).toContain('only local #/ refs are allowed');
      expect(stdout + stderr).not.toContain('LEAKED');
      await expectNothingChanged();
    });

    it('refuses a $ref to a URL and fetches nothing', async () => {
      const requests: string[] = [];
      const server = createServer((request, response) => {
        requests.push(request.url ?? '');
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"type":"string"}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const input = await specWith('url-ref.json', (spec) => {
          spec.components.schemas.Webhook.properties.url = { $ref: `http://0.0.0.0:${port}/x.json` };
        });
        const { code, stderr } = await workspace.run('spec:update', input);
        expect(code).toBe(1);
        expect(stderr).toContain(`the $ref "http://0.0.0.0:${port}/x.json"`);
        expect(requests).toEqual([]);
        await expectNothingChanged();
      } finally {
        server.close();
      }
    });

    it('refuses an info.version that is not a semantic version, writing nothing anywhere', async () => {
      const input = await specWith('bad-version.json', (spec) => {
        spec.info.version = '../../escaped';
      });
      const { code, stderr } = await workspace.run('spec:update', input);
      expect(code).toBe(1);
      expect(stderr).toContain('is not a semantic version, nothing changed');
      await expectNothingChanged();
      expect(await readdir(workspace.dir)).not.toContain('escaped.md');
    });

    it('reports a change made only to an example', async () => {
      const input = await specWith('example.json', (spec) => {
        spec.components.schemas.Webhook.properties.url.example = 'https://example.com/changed';
      });
      const { code, stdout } = await workspace.run('spec:update', input);
      expect(code).toBe(0);
      expect(stdout).toMatch(/0 breaking, [1-9]\d* non-breaking change/);
      expect(stdout).toContain('example of url');
    });
  });
});
