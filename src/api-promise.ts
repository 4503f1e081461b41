/**
 * The promise every `kros.webhooks` method returns: it resolves to the data, and `withResponse()`
 * gives the same call's response too. One request either way.
 */

/**
 * What `withResponse()` resolves to: the parsed data, the `Response`, and its `x-request-id`.
 *
 * @example
 * ```ts
 * const { data, response, requestId }: WithResponse<Webhook[]> = await kros.webhooks.list().withResponse();
 * ```
 */
export interface WithResponse<T> {
  /** What awaiting the call itself gives. */
  data: T;
  /** The API's response; its body has been read (see "The raw client" in the README). */
  response: Response;
  /** The `x-request-id` response header: quote it when you contact KrosAI support. */
  requestId: string | undefined;
}

/**
 * A native `Promise` of the call's data that also has `withResponse()`.
 *
 * @example
 * ```ts
 * const webhooks = await kros.webhooks.list();
 * const { data, requestId } = await kros.webhooks.list().withResponse();
 * ```
 */
export interface KrosPromise<T> extends Promise<T> {
  /**
   * The data with the response it came in and its request id.
   *
   * @example
   * ```ts
   * const { data: webhook, requestId } = await kros.webhooks.create(body).withResponse();
   * ```
   */
  withResponse(): Promise<WithResponse<T>>;
}

/**
 * The data promise of a call, with `withResponse()` giving the call itself. A plain promise, not a
 * subclass: `await` keeps V8's fast path.
 */
export function krosPromise<T>(call: Promise<WithResponse<T>>): KrosPromise<T> {
  const data = call.then(({ data }) => data) as KrosPromise<T>;
  data.withResponse = () => {
    // Whoever awaits withResponse() handles the call's failure there: the data promise must not
    // report it a second time as an unhandled rejection.
    data.catch(() => {});
    return call;
  };
  return data;
}
