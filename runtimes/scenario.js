/**
 * The one scenario every runtime of the matrix runs against the packed package (see
 * scripts/test-runtimes.ts). Plain ESM JavaScript, so that each runtime loads it as it is, or as its
 * bundler makes it. It needs only `fetch`; an adapter hands it `require` where the runtime has one.
 */
import * as sdk from '@krosai/cockpit';
import * as verifier from '@krosai/cockpit/webhooks';

/**
 * @param {object} config what the host set up: the Prism mock, the fault servers, a signed delivery
 * @param {{ require?: (id: string) => any, opaqueRedirects?: boolean, browser?: boolean }} [host] what only some runtimes have: `require`;
 *   a fetch that shows an unfollowed redirect only as status 0 (browsers); a page or worker anyone can read (browsers)
 * @returns {Promise<{ build: string, steps: Record<string, string | null> }>} each step: null when it passed, else why not
 */
export async function runScenario(config, host = {}) {
  const steps = {};
  const step = async (name, body) => {
    try {
      await body();
      steps[name] = null;
    } catch (error) {
      steps[name] = describe(error);
    }
  };
  const cryptoCalls = countWebCryptoCalls();

  await step('import', async () => {
    const exported = [sdk.createKrosClient, sdk.verifyWebhook, sdk.KrosApiError, verifier.verifyWebhook, verifier.KrosSignatureError];
    if (!exported.every((value) => typeof value === 'function')) throw new Error('an export is missing');
  });

  if (host.require) {
    await step('require', async () => {
      const cjs = host.require('@krosai/cockpit');
      const cjsVerifier = host.require('@krosai/cockpit/webhooks');
      const delivery = await cjsVerifier.verifyWebhook(config.delivery.body, config.delivery.signature, config.delivery.secret);
      expect(delivery.id, config.delivery.id, 'the CommonJS verifier read');
      expect(typeof cjs.createKrosClient({ apiKey: 'kros_test_matrix', baseUrl: config.prismUrl }).webhooks.list, 'function', 'list');
    });
  }

  // Prism checks every request against the spec: it reports what does not match in the sl-violations
  // header, or, when it refuses the request, in the validation list of its problem+json answer.
  const violations = [];
  let checked = 0;
  const specChecked = async (input, init) => {
    const response = await fetch(input, init);
    checked++;
    const reported = response.headers.get('sl-violations');
    if (reported) violations.push(reported);
    if (response.headers.get('content-type')?.includes('application/problem+json')) {
      violations.push(...((await response.clone().json()).validation ?? []).map((violation) => violation.message));
    }
    return response;
  };
  await step('operations', async () => {
    const kros = sdk.createKrosClient({ apiKey: 'kros_test_matrix', baseUrl: config.prismUrl, fetch: specChecked });
    const listed = await labelled('list', kros.webhooks.list());
    if (!Array.isArray(listed)) throw new Error('list: no array');
    const created = await labelled('create', kros.webhooks.create({ url: 'https://example.com/hooks', events: ['call.completed'] }));
    expect((await labelled('get', kros.webhooks.get(created.id))).id, created.id, 'get');
    await labelled('update', kros.webhooks.update(created.id, { active: false }));
    expect(typeof (await labelled('test', kros.webhooks.test(created.id))).success, 'boolean', 'test');
    await labelled('delete', kros.webhooks.delete(created.id));
  });
  await step('spec', async () => {
    if (checked === 0) throw new Error('no request reached Prism');
    if (violations.length > 0) throw new Error(`Prism found requests invalid: ${violations.join('; ')}`);
    // The check itself works here (headers readable, across origins too): a request missing its body is caught.
    await specChecked(`${config.prismUrl}/webhooks`, { method: 'POST', headers: { authorization: 'Bearer kros_test_matrix' } });
    if (violations.splice(0).length === 0) throw new Error('an invalid request went unnoticed: the spec check sees nothing');
  });

  const faulty = (path, options) => sdk.createKrosClient({ apiKey: 'kros_test_matrix', baseUrl: `${config.faultUrl}/${path}`, ...options });

  await step('timeout', async () => {
    const started = Date.now();
    const error = await rejectionOf(faulty('hang').webhooks.list({ timeoutMs: 300, maxRetries: 0 }));
    if (!(error instanceof sdk.KrosTimeoutError)) throw unexpected('KrosTimeoutError', error);
    if (Date.now() - started > 10_000) throw new Error(`timed out after ${Date.now() - started} ms, not about 300`);
  });

  await step('abort', async () => {
    const controller = new AbortController();
    const reason = new Error('the caller gave up');
    setTimeout(() => controller.abort(reason), 100);
    const error = await rejectionOf(faulty('hang').webhooks.list({ signal: controller.signal }));
    if (!(error instanceof sdk.KrosAbortError) || error.cause !== reason) throw unexpected('KrosAbortError, the reason its cause', error);
  });

  await step('retry-429', async () => {
    const started = Date.now();
    const listed = await faulty('rate-limited').webhooks.list();
    if (!Array.isArray(listed)) throw new Error('no list after the retry');
    // The server asked for Retry-After: 1; the one retry must have waited for it.
    if (Date.now() - started < 900) throw new Error(`retried after ${Date.now() - started} ms, before Retry-After: 1`);
  });

  await step('no-redirect', async () => {
    const error = await rejectionOf(faulty('redirect').webhooks.list({ maxRetries: 0 }));
    // A browser's fetch hides a redirect it does not follow: status 0 (an "opaqueredirect" response).
    const statuses = host.opaqueRedirects ? [307, 0] : [307];
    if (!(error instanceof sdk.KrosApiError) || !statuses.includes(error.status)) {
      throw unexpected(`KrosApiError ${statuses.join(' or ')}`, error);
    }
  });

  await step('live-key-guard', async () => {
    // Whoever loads a page or a browser worker can read a key in it: a live key is refused there, and only there.
    const outcome = await (async () =>
      sdk.createKrosClient({ apiKey: 'kros_live_matrix', baseUrl: config.prismUrl }).webhooks.list())().then(
      () => 'sent',
      (error) => (error instanceof sdk.KrosValidationError ? 'refused' : describe(error)),
    );
    expect(outcome, host.browser ? 'refused' : 'sent', 'a kros_live_ key');
  });

  await step('verify', async () => {
    const { body, tampered, signature, secret, id } = config.delivery;
    const delivery = await verifier.verifyWebhook(body, { 'X-Webhook-Signature': signature }, secret);
    expect(delivery.id, id, 'the verified delivery');
    const refused = await rejectionOf(verifier.verifyWebhook(tampered, signature, secret));
    if (!(refused instanceof verifier.KrosSignatureError) || refused.reason !== 'signature_mismatch') {
      throw unexpected('KrosSignatureError signature_mismatch', refused);
    }
  });

  await step('verify-reused-buffer', async () => {
    // The bytes verified are the bytes given: rewriting the buffer once the call has started must not matter.
    const { body, tampered, signature, secret, id } = config.delivery;
    const bytes = new TextEncoder().encode(body);
    const verifying = verifier.verifyWebhook(bytes, signature, secret);
    bytes.set(new TextEncoder().encode(tampered));
    expect((await verifying).id, id, 'the delivery verified from a buffer rewritten at once');
    const [original, forged] = await Promise.all([
      verifier.verifyWebhook(body, signature, secret),
      rejectionOf(verifier.verifyWebhook(tampered, signature, secret)),
    ]);
    expect(original.id, id, 'the delivery verified beside a concurrent forged one');
    if (!(forged instanceof verifier.KrosSignatureError)) throw unexpected('KrosSignatureError', forged);
  });

  // The web build verifies on Web Crypto, the node build on node:crypto: which one ran tells which build this is.
  const build = steps.verify !== null ? 'unknown' : cryptoCalls() > 0 ? 'web' : 'node';
  return { build, steps };
}

/** Counts calls to crypto.subtle from here on, where the runtime has it; calls pass through unchanged. */
function countWebCryptoCalls() {
  let count = 0;
  const subtle = globalThis.crypto?.subtle;
  if (subtle) {
    for (const name of ['importKey', 'sign', 'verify']) {
      const original = subtle[name].bind(subtle);
      subtle[name] = (...args) => {
        count++;
        return original(...args);
      };
    }
  }
  return () => count;
}

/** The operation's result, or its error with the operation's name in front. */
async function labelled(operation, promise) {
  try {
    return await promise;
  } catch (error) {
    throw new Error(`${operation}: ${describe(error)}`);
  }
}

async function rejectionOf(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('it resolved instead of rejecting');
}

function expect(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}

function unexpected(wanted, error) {
  return new Error(`expected ${wanted}, got ${describe(error)}`);
}

function describe(error) {
  if (!(error instanceof Error)) return String(error);
  const status = 'status' in error ? ` ${error.status}` : '';
  return `${error.constructor?.name ?? error.name}${status}: ${error.message}`.slice(0, 300);
}
