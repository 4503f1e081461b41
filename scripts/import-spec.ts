/**
 * `npm run spec:import -- <reference-page.md>`: assembles openapi/krosai-cockpit.json from the
 * per-operation fragments of a KrosAI reference page, validates it and writes it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { canonicalize, extractFragments, mergeFragments, SPEC_PATH, serializeSpec, validateSpec } from './spec.ts';

const [page] = process.argv.slice(2);
if (!page) {
  console.error('usage: npm run spec:import -- <reference-page.md>');
  process.exit(2);
}
try {
  const fragments = extractFragments(await readFile(page, 'utf8'));
  const spec = canonicalize(mergeFragments(fragments));
  await validateSpec(spec);
  await writeFile(SPEC_PATH, serializeSpec(spec));
  console.log(`${SPEC_PATH}: ${fragments.length} fragments, ${Object.keys(spec.paths).length} paths, valid OpenAPI ${spec.openapi}`);
} catch (error) {
  console.error(`spec:import failed: ${(error as Error).message}`);
  process.exit(1);
}
