import { ServiceOverloadedError } from "../../application/service-overloaded";

/** How much database work one instance takes on (docs/operations.md, "Overload"). */
export interface AdmissionBounds {
  /** Operations using the database at once: the pool's size, so an admitted one gets a connection without waiting on the pool. */
  maxInFlight: number;
  /** Operations that may wait for a place; the next one is shed at once. */
  maxQueue: number;
  /** Longest an operation may wait for a place: judged on arrival (shed at once), enforced while it waits. */
  maxQueueWaitMs: number;
}

/** Why an operation was shed: the wait queue was full, or its wait would exceed (or did exceed) the bound. */
export type ShedReason = "queue_full" | "wait_too_long";

export type Admission =
  | { admitted: true; /** Gives the place back (idempotent); the longest-waiting operation takes it. */ release(): void }
  | { admitted: false; reason: ShedReason; retryAfterMs: number };

interface Waiter {
  resolve(admission: Admission): void;
  timer: NodeJS.Timeout;
}

// How quickly the hold-time estimate follows a change of workload: 1/8 of each new sample.
const SMOOTHING = 0.125;

/**
 * Admission control in front of the database. Without it, work beyond what
 * the pool serves queued inside pg-pool and Prisma without bound (16 s under
 * 2x load, in issue #15) until their own timeouts turned it into masked
 * internal errors, some after a write had committed. Here an operation is
 * either admitted, and then finds a connection free, or refused before it
 * starts anything: at once when the queue is full or the expected wait
 * (queue position x the recent hold time / places) is over the bound, else
 * when its wait reaches the bound. Waiters are served first come, first served.
 */
export class AdmissionGate {
  private inFlight = 0;
  private readonly waiting: Waiter[] = [];
  /** Smoothed time an admitted operation holds its place, in ms (0 until one has finished). */
  private holdMs = 0;

  constructor(private readonly bounds: AdmissionBounds) {
    if (bounds.maxInFlight < 1) throw new Error("AdmissionGate: maxInFlight must be at least 1");
  }

  /** Operations holding a place / waiting for one (for the metrics). */
  get load(): { inFlight: number; queued: number } {
    return { inFlight: this.inFlight, queued: this.waiting.length };
  }

  enter(): Promise<Admission> {
    if (this.inFlight < this.bounds.maxInFlight && this.waiting.length === 0) return Promise.resolve(this.admit());
    if (this.waiting.length >= this.bounds.maxQueue) return Promise.resolve(this.shed("queue_full"));
    if (this.expectedWaitMs(this.waiting.length + 1) > this.bounds.maxQueueWaitMs) return Promise.resolve(this.shed("wait_too_long"));
    return new Promise<Admission>((resolve) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          const index = this.waiting.indexOf(waiter);
          if (index !== -1) this.waiting.splice(index, 1);
          resolve(this.shed("wait_too_long"));
        }, this.bounds.maxQueueWaitMs),
      };
      this.waiting.push(waiter);
    });
  }

  /**
   * Runs `work` once admitted and gives the place back when it ends; shed,
   * `work` never runs: `onShed` is called and ServiceOverloadedError thrown.
   */
  async run<T>(work: () => Promise<T>, onShed: (reason: ShedReason) => void = () => {}): Promise<T> {
    const admission = await this.enter();
    if (!admission.admitted) {
      onShed(admission.reason);
      throw new ServiceOverloadedError(admission.retryAfterMs);
    }
    try {
      return await work();
    } finally {
      admission.release();
    }
  }

  private admit(): Admission {
    this.inFlight++;
    const started = performance.now();
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        this.inFlight--;
        const held = performance.now() - started;
        this.holdMs = this.holdMs === 0 ? held : this.holdMs + SMOOTHING * (held - this.holdMs);
        this.handOver();
      },
    };
  }

  private handOver(): void {
    while (this.inFlight < this.bounds.maxInFlight && this.waiting.length > 0) {
      const next = this.waiting.shift() as Waiter;
      clearTimeout(next.timer);
      next.resolve(this.admit());
    }
  }

  /** Roughly how long the operation at `position` in the queue waits: the places turn over every `holdMs`. */
  private expectedWaitMs(position: number): number {
    return (position * this.holdMs) / this.bounds.maxInFlight;
  }

  /** Retry once the work in hand and in the queue is likely done: whole seconds (Retry-After's unit), at least one. */
  private shed(reason: ShedReason): Admission {
    const drainMs = this.expectedWaitMs(this.inFlight + this.waiting.length);
    return { admitted: false, reason, retryAfterMs: Math.max(1, Math.ceil(drainMs / 1000)) * 1000 };
  }
}
