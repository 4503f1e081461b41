import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WEBHOOK_EVENTS } from '@krosai/cockpit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalize, extractFragments, mergeFragments, serializeSpec, validateSpec } from '../scripts/spec.ts';
import { copyWorkspace, REFERENCE_PAGE, ROOT, type Workspace } from './helpers/workspace.ts';

const page = await readFile(REFERENCE_PAGE, 'utf8');
const committedSpec = await readFile(join(ROOT, 'openapi/krosai-cockpit.json'), 'utf8');
const assemble = (fragments: object[]) => serializeSpec(canonicalize(mergeFragments(fragments)));

describe('assembling the spec from the reference page', () => {
  it('gives exactly the vendored spec', () => {
    expect(assemble(extractFragments(page))).toBe(committedSpec);
  });

  it('writes the same bytes whatever the order of the fragments', () => {
    expect(assemble(extractFragments(page).reverse())).toBe(committedSpec);
  });

  it('has all six operations', () => {
    const spec = JSON.parse(committedSpec);
    const operations = Object.values(spec.paths).flatMap((item) => Object.values(item as object).map((op) => op.operationId));
    expect(operations.sort()).toEqual(['createWebhook', 'deleteWebhook', 'getWebhook', 'listWebhooks', 'testWebhook', 'updateWebhook']);
  });

  it('fails loudly when two fragments define a component differently', () => {
    const fragments = extractFragments(page);
    fragments[1]!.components.schemas.Webhook.properties.active = { type: 'string' };
    expect(() => mergeFragments(fragments)).toThrow('fragment 2: component schemas.Webhook differs from an earlier fragment');
  });

  it('fails loudly when two fragments define the same operation', () => {
    const fragments = extractFragments(page);
    expect(() => mergeFragments([...fragments, fragments[0]!])).toThrow('GET /webhooks is defined twice');
  });

  it('refuses a document with a dangling $ref', async () => {
    const fragments = extractFragments(page);
    delete fragments[2]!.components.schemas.Webhook;
    const spec = canonicalize(mergeFragments(fragments.slice(2, 3)));
    await expect(validateSpec(spec)).rejects.toThrow(/Webhook/);
  });

  it('refuses a fragment with a __proto__ key, leaving Object.prototype as it was', () => {
    const fragments = extractFragments(page);
    const hostile = JSON.parse('{"openapi":"3.0.3","paths":{"__proto__":{"inject":"from the spec"}}}');
    expect(() => mergeFragments([...fragments, hostile])).toThrow('the key "__proto__" at #/paths is refused');
    expect(({} as Record<string, unknown>).inject).toBeUndefined();
  });

  it('refuses a page with no fragment', () => {
    expect(() => extractFragments('# Webhooks\n\nNothing here.')).toThrow('the page holds no OpenAPI fragment');
  });
});

describe('generated code', () => {
  it('lists the spec event names as WEBHOOK_EVENTS', () => {
    expect(WEBHOOK_EVENTS).toEqual(JSON.parse(committedSpec).components.schemas.WebhookEvent.enum);
  });
});

// Each test runs real npm scripts in a scratch copy: seconds each, more on a busy machine.
describe('the spec commands', { timeout: 60_000 }, () => {
  let workspace: Workspace;
  beforeEach(async () => {
    workspace = await copyWorkspace();
  });
  afterEach(() => workspace.remove());

  it('check:generated passes on the committed files', async () => {
    expect(await workspace.run('check:generated')).toMatchObject({ code: 0 });
  });

  it('check:generated fails on a hand edit of the generated code', async () => {
    const file = join(workspace.dir, 'src/generated/api.ts');
    await writeFile(file, (await readFile(file, 'utf8')).replace('"call.failed", ', ''));
    const { code, stderr } = await workspace.run('check:generated');
    expect(code).toBe(1);
    expect(stderr).toContain('run `npm run generate`');
  });

  it('spec:import then generate reproduce the committed files from the reference page', async () => {
    await writeFile(join(workspace.dir, 'openapi/krosai-cockpit.json'), '{}');
    expect(await workspace.run('spec:import', REFERENCE_PAGE)).toMatchObject({ code: 0 });
    expect(await readFile(join(workspace.dir, 'openapi/krosai-cockpit.json'), 'utf8')).toBe(committedSpec);
    expect(await workspace.run('generate')).toMatchObject({ code: 0 });
    expect(await readFile(join(workspace.dir, 'src/generated/api.ts'), 'utf8')).toBe(
      await readFile(join(ROOT, 'src/generated/api.ts'), 'utf8'),
    );
  });

  it('spec:import exits non-zero and writes nothing for an inconsistent page', async () => {
    const broken = join(workspace.dir, 'broken.md');
    const webhookActive = '"active":{"type":"boolean"},"organization_id"';
    const second = page.indexOf(webhookActive, page.indexOf(webhookActive) + 1);
    await writeFile(
      broken,
      `${page.slice(0, second)}"active":{"type":"string"},"organization_id"${page.slice(second + webhookActive.length)}`,
    );
    const { code, stderr } = await workspace.run('spec:import', broken);
    expect(code).toBe(1);
    expect(stderr).toContain('differs from an earlier fragment');
    expect(await readFile(join(workspace.dir, 'openapi/krosai-cockpit.json'), 'utf8')).toBe(committedSpec);
  });
});
