/**
 * Concurrent misses of one key (one tenant, generation and arguments) share
 * one computation instead of each running the query: right after a change,
 * every reader of the new generation misses at once. Sharing is safe because
 * the key carries the generation: whoever joins read that same generation
 * before joining, so it started no earlier than the computation did.
 */
export class InFlight {
  private readonly running = new Map<string, Promise<unknown>>();

  /** The computation already running for `key`, or `compute()` started now; `joined` tells which. */
  run<T>(key: string, compute: () => Promise<T>): { answer: Promise<T>; joined: boolean } {
    const running = this.running.get(key);
    if (running) return { answer: running as Promise<T>, joined: true };
    const answer = compute().finally(() => this.running.delete(key));
    this.running.set(key, answer);
    return { answer, joined: false };
  }
}
