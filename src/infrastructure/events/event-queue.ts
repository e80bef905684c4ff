/**
 * An unbounded in-memory queue read as an async iterator: pushes are buffered
 * until pulled; return() ends it (pending reads resolve done) and runs the
 * close hook once, so its source is released.
 */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  private readonly buffered: T[] = [];
  private readonly waiting: ((result: IteratorResult<T>) => void)[] = [];
  private closed = false;
  private closeHook: (() => void) | null = null;

  push(value: T): void {
    if (this.closed) return;
    const reader = this.waiting.shift();
    if (reader) reader({ done: false, value });
    else this.buffered.push(value);
  }

  onClose(hook: () => void): void {
    if (this.closed) hook();
    else this.closeHook = hook;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffered.length) return Promise.resolve({ done: false, value: this.buffered.shift() as T });
    if (this.closed) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async return(): Promise<IteratorResult<T>> {
    if (!this.closed) {
      this.closed = true;
      this.buffered.length = 0;
      for (const reader of this.waiting.splice(0)) reader({ done: true, value: undefined });
      this.closeHook?.();
    }
    return { done: true, value: undefined };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
