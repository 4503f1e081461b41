// Vercel's Edge runtime (edge-runtime): a fetch event handler that runs the scenario per request.
import { runScenario } from './scenario.js';

addEventListener('fetch', (event) => {
  event.respondWith(event.request.json().then(async (config) => new Response(JSON.stringify(await runScenario(config)))));
});
