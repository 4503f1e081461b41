import { createKrosClient } from '@krosai/cockpit';
import { EnvHttpProxyAgent } from 'undici';

// The proxy in HTTPS_PROXY (or HTTP_PROXY), skipped for the hosts in NO_PROXY, as curl reads them.
// Its user and password, if it wants them, go in that URL: http://user:password@proxy.internal:3128.
const dispatcher = new EnvHttpProxyAgent();

// Node's fetch takes undici's `dispatcher`, though its RequestInit type leaves it out. undici's own
// `fetch` would not do: it refuses the client's Request, made by Node's copy of undici.
export const fetchViaProxy: typeof fetch = (input, init) => fetch(input, { ...init, dispatcher } as RequestInit);

export const kros = createKrosClient({ fetch: fetchViaProxy });
