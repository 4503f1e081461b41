import { KrosValidationError } from './errors.js';
import { IN_BROWSER } from './user-agent.js';
import { assertCredential } from './validate.js';

/** An API key (`kros_live_…`, `kros_test_…`), a JWT, or a function returning one, called before every attempt. */
export type ApiKey = string | (() => string | Promise<string>);

/** Which header carries the credential: `Authorization: Bearer <key>` or `x-api-key: <key>`. */
export type AuthHeader = 'authorization' | 'x-api-key';

/** The header pair for one attempt (`retry` 0 is the first): at once for a fixed key, a promise from a token function. */
export type Credential = (retry: number) => [name: string, value: string] | Promise<[name: string, value: string]>;

export function credentialFrom(apiKey: ApiKey | undefined, authHeader: AuthHeader, allowBrowser: boolean | undefined): Credential {
  if (authHeader !== 'authorization' && authHeader !== 'x-api-key') {
    throw new KrosValidationError('authHeader must be "authorization" or "x-api-key"');
  }
  const header = (key: string): [string, string] => {
    if (IN_BROWSER && !allowBrowser && key.startsWith('kros_live_')) {
      throw new KrosValidationError(
        'a kros_live_ key in a browser is readable by anyone who loads the page: use a JWT, or set dangerouslyAllowBrowser',
      );
    }
    return authHeader === 'authorization' ? ['authorization', `Bearer ${key}`] : ['x-api-key', key];
  };
  if (typeof apiKey === 'function') {
    return async (retry) => {
      let key: unknown;
      try {
        key = await apiKey();
      } catch (error) {
        const sent = retry ? `retry ${retry} was not sent (earlier attempts were)` : 'no request was sent';
        throw new KrosValidationError(`the apiKey function threw; ${sent}`, { cause: error });
      }
      assertCredential(key, 'the value returned by the apiKey function');
      return header(key);
    };
  }
  if (apiKey === undefined || apiKey === '') {
    throw new KrosValidationError('no API key: pass apiKey or set KROSAI_API_KEY');
  }
  assertCredential(apiKey, 'apiKey');
  const pair = header(apiKey);
  return () => pair;
}
