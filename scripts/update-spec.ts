/**
 * `npm run spec:update -- <page.md | spec.json | spec.yaml> [--allow-breaking]`: validates the new
 * spec, reports what changed for SDK users, and only then writes the vendored spec, the generated
 * code and a changeset draft. Invalid input, or breaking changes without --allow-breaking, exit 1
 * with nothing written.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { GENERATED_PATH, generateTypes } from './generate.ts';
import { loadSpec, SPEC_PATH, serializeSpec } from './spec.ts';
import { changesetDraft, compareSpecs, formatReport } from './spec-diff.ts';

const args = process.argv.slice(2);
const allowBreaking = args.includes('--allow-breaking');
const [input] = args.filter((arg) => !arg.startsWith('--'));
if (!input) {
  console.error('usage: npm run spec:update -- <page.md | spec.json | spec.yaml> [--allow-breaking]');
  process.exit(2);
}

if (!existsSync(input)) {
  console.error(`spec:update: there is no file ${input}, nothing changed`);
  process.exit(1);
}
let after: Awaited<ReturnType<typeof loadSpec>>;
try {
  after = await loadSpec(input);
} catch (error) {
  console.error(`spec:update: ${input} is not a valid OpenAPI document, nothing changed:\n${(error as Error).message}`);
  process.exit(1);
}
// The version names the changeset file: a semver, or a path like ../../x could be written anywhere.
const version = String(after.info?.version);
if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(version)) {
  console.error(`spec:update: info.version ${JSON.stringify(version).slice(0, 80)} is not a semantic version, nothing changed`);
  process.exit(1);
}
const before = JSON.parse(await readFile(SPEC_PATH, 'utf8'));
const changes = compareSpecs(before, after);
console.log(formatReport(changes, before, after));

if (changes.some((change) => change.breaking) && !allowBreaking) {
  console.error('\nspec:update: breaking changes for SDK users, nothing changed. Re-run with --allow-breaking once decided.');
  process.exit(1);
}
// Every file's content first: a step that fails leaves nothing written.
const files = new Map([
  [SPEC_PATH, serializeSpec(after)],
  [GENERATED_PATH, await generateTypes(after)],
]);
if (changes.length > 0) files.set(`.changeset/krosai-api-${version}.md`, changesetDraft(changes, before, after));
await mkdir('.changeset', { recursive: true });
for (const [path, content] of files) await writeFile(path, content);
console.log(`\nwrote ${[...files.keys()].join(', ')}${changes.length > 0 ? ' (review the changeset before committing)' : ''}`);
