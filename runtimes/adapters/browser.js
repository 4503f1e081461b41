// A browser page: the scenario runs on load with the config from the URL's fragment; the host awaits the result.
import { runScenario } from './scenario.js';

window.matrixResult = runScenario(JSON.parse(decodeURIComponent(location.hash.slice(1))), { opaqueRedirects: true, browser: true });
