/**
 * `npm run demo`: runs examples/quickstart.ts against a Prism mock of the vendored spec, started
 * here and stopped afterwards. Needs no API key and no network.
 */
import { startPrism } from './prism.ts';

const prism = await startPrism();
console.log(`Prism mock of openapi/krosai-cockpit.json on ${prism.url}`);
console.log('It answers from the spec and keeps no state, so the values do not change between calls.\n');
process.env.KROSAI_BASE_URL = prism.url;
process.env.KROSAI_API_KEY = 'kros_test_demo';
try {
  await import('../examples/quickstart.ts');
  console.log('\nAll six webhook operations ran against the mock.');
} finally {
  await prism.stop();
}
