// Cloudflare Workers (workerd through Miniflare): a module worker that runs the scenario per request.
import { runScenario } from './scenario.js';

export default {
  async fetch(request) {
    return new Response(JSON.stringify(await runScenario(await request.json())));
  },
};
