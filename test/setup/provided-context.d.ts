import 'vitest';

declare module 'vitest' {
  /** What the vitest config and the global setup hand to the tests. */
  export interface ProvidedContext {
    /** The Prism mock of the vendored spec, started by test/setup/prism.ts. */
    prismUrl: string;
    /** Where test/setup/prism.ts keeps that Prism's PrismStatus (scripts/prism.ts), as JSON. */
    prismStatusFile: string;
    /** Which HMAC module this test project resolves: the two vitest projects run the verifier suite once each. */
    hmac: 'Web Crypto' | 'node:crypto';
  }
}
