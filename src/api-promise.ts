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
 * A `Promise` of the call's data that also has {@link KrosPromise.withResponse}.
 *
 * @example
 * ```ts
 * const webhooks = await kros.webhooks.list();
 * const { data, requestId } = await kros.webhooks.list().withResponse();
 * ```
 */
export class KrosPromise<T> extends Promise<T> {
  readonly #withResponse: Promise<WithResponse<T>>;
  #data: Promise<T> | undefined;

  /** @internal Made by the SDK from the call in flight. */
  constructor(call: Promise<WithResponse<T>>) {
    // The base promise is never used: `then` reads from the call, so an unawaited data promise
    // cannot surface as an unhandled rejection when only withResponse() is awaited.
    super((resolve) => resolve(undefined as T));
    this.#withResponse = call;
  }

  /**
   * The data with the response it came in and its request id.
   *
   * @example
   * ```ts
   * const { data: webhook, requestId } = await kros.webhooks.create(body).withResponse();
   * ```
   */
  withResponse(): Promise<WithResponse<T>> {
    return this.#withResponse;
  }

  // Promise subclasses build new promises through `this.constructor`; ours must stay plain ones.
  static override get [Symbol.species]() {
    return Promise;
  }

  // biome-ignore lint/suspicious/noThenProperty: a Promise subclass; `then` is what makes it one to await.
  override then<A = T, B = never>(
    onfulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    this.#data ??= this.#withResponse.then(({ data }) => data);
    return this.#data.then(onfulfilled, onrejected);
  }
}
