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
const before = JSON.parse(await readFile(SPEC_PATH, 'utf8'));
const changes = compareSpecs(before, after);
console.log(formatReport(changes, before, after));

if (changes.some((change) => change.breaking) && !allowBreaking) {
  console.error('\nspec:update: breaking changes for SDK users, nothing changed. Re-run with --allow-breaking once decided.');
  process.exit(1);
}
const generated = await generateTypes(after);
await writeFile(SPEC_PATH, serializeSpec(after));
await writeFile(GENERATED_PATH, generated);
console.log(`\nwrote ${SPEC_PATH} and ${GENERATED_PATH}`);
if (changes.length > 0) {
  const draft = `.changeset/krosai-api-${after.info.version}.md`;
  await mkdir('.changeset', { recursive: true });
  await writeFile(draft, changesetDraft(changes, before, after));
  console.log(`wrote ${draft} (review it before committing)`);
}
