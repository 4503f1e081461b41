/**
 * `npm run spec:import -- <reference-page.md>`: assembles openapi/krosai-cockpit.json from the
 * per-operation fragments of a KrosAI reference page, validates it and writes it.
 */
import { writeFile } from 'node:fs/promises';
import { loadSpec, SPEC_PATH, serializeSpec } from './spec.ts';

const [page] = process.argv.slice(2);
if (!page) {
  console.error('usage: npm run spec:import -- <reference-page.md>');
  process.exit(2);
}
try {
  const spec = await loadSpec(page);
  await writeFile(SPEC_PATH, serializeSpec(spec));
  console.log(`${SPEC_PATH}: ${Object.keys(spec.paths).length} paths, valid OpenAPI ${spec.openapi}`);
} catch (error) {
  console.error(`spec:import failed: ${(error as Error).message}`);
  process.exit(1);
}
