/** One `abort` listener per caller signal, however many calls share it: Node warns past ten. */
const subscribers = new WeakMap<AbortSignal, Set<() => void>>();

/** Runs `listener` once when `signal` aborts; returns the function that unsubscribes it. */
export function onAbort(signal: AbortSignal | null | undefined, listener: () => void): () => void {
  if (!signal) return () => {};
  if (signal.aborted) {
    listener();
    return () => {};
  }
  let listeners = subscribers.get(signal);
  if (!listeners) {
    const set = new Set<() => void>();
    listeners = set;
    subscribers.set(signal, set);
    signal.addEventListener(
      'abort',
      () => {
        for (const notify of set) notify();
        set.clear();
      },
      { once: true },
    );
  }
  listeners.add(listener);
  const current = listeners;
  return () => current.delete(listener);
}
