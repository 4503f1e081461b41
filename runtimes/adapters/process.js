// Node, Bun and Deno: the scenario as a program, with `require`; the host reads the result on stdout.
import { createRequire } from 'node:module';
import process from 'node:process';
import { runScenario } from './scenario.js';

const result = await runScenario(JSON.parse(process.env.KROS_MATRIX), { require: createRequire(import.meta.url) });
// Where the runtime's loader says the package resolved to, when it says (Node 18 has no import.meta.resolve).
const resolved = import.meta.resolve?.('@krosai/cockpit');
console.log(JSON.stringify({ ...result, resolved }));
process.exit(0);
