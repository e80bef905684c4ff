/**
 * The iterators a live subscription is made of. Each one can be ended at
 * once from the consumer's side: `return()` resolves a pending `next()` with
 * `done` and releases what the stream holds. An async generator cannot do
 * that (its `return()` waits until the generator reaches its next `yield`,
 * which for a filter that never matches is never), so these are written by hand.
 */
export interface LiveEventStream<T> extends AsyncIterableIterator<T> {
  return(): Promise<IteratorResult<T>>;
  throw(error: unknown): Promise<IteratorResult<T>>;
}

const DONE = { done: true, value: undefined } as const;

/**
 * A stream fed by pushes (a bus listener). `release` (detach the listener) runs
 * exactly once, whichever way the stream ends: `return()`, `throw()` or `fail()`.
 */
export class PushedEventStream<T> implements LiveEventStream<T> {
  private readonly buffered: T[] = [];
  private readonly waiting: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void }[] = [];
  private ended = false;
  private failure: { error: unknown } | null = null;

  constructor(private readonly release: () => void) {}

  push(value: T): void {
    if (this.ended) return;
    const waiter = this.waiting.shift();
    if (waiter) waiter.resolve({ done: false, value });
    else this.buffered.push(value);
  }

  /** Ends the stream with an error (the source failed): the next `next()` rejects once. */
  fail(error: unknown): void {
    if (this.ended) return;
    const waiter = this.waiting.shift();
    if (waiter) waiter.reject(error);
    else this.failure = { error };
    this.end();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffered.length) return Promise.resolve({ done: false, value: this.buffered.shift() as T });
    if (this.failure) {
      const { error } = this.failure;
      this.failure = null;
      return Promise.reject(error);
    }
    if (this.ended) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  async return(): Promise<IteratorResult<T>> {
    this.end();
    return DONE;
  }

  async throw(error: unknown): Promise<IteratorResult<T>> {
    this.end();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.buffered.length = 0;
    for (const waiter of this.waiting.splice(0)) waiter.resolve(DONE);
    this.release();
  }
}

/** Only the events `keep` accepts; returning it returns the source at once, even while waiting for a match. */
export function narrowed<T>(source: LiveEventStream<T>, keep: (event: T) => boolean): LiveEventStream<T> {
  return {
    async next() {
      for (;;) {
        const result = await source.next();
        if (result.done || keep(result.value)) return result;
      }
    },
    return: () => source.return(),
    throw: async (error: unknown) => {
      await source.return();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** Calls `ended` exactly once when the stream ends, whether returned, thrown, exhausted or failed. */
export function onceEnded<T>(source: LiveEventStream<T>, ended: () => void): LiveEventStream<T> {
  let open = true;
  const end = () => {
    if (!open) return;
    open = false;
    ended();
  };
  return {
    async next() {
      try {
        const result = await source.next();
        if (result.done) end();
        return result;
      } catch (error) {
        end();
        throw error;
      }
    },
    async return() {
      end();
      return source.return();
    },
    async throw(error: unknown) {
      end();
      await source.return();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
