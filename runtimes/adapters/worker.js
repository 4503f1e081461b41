// A dedicated browser worker: no window, no document. The scenario runs with the config from the
// worker's URL fragment and posts its result to the page.
import { runScenario } from './scenario.js';

runScenario(JSON.parse(decodeURIComponent(self.location.hash.slice(1))), { opaqueRedirects: true, browser: true }).then((result) =>
  self.postMessage(result),
);
