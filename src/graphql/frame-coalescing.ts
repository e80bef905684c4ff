import type { Socket } from "node:net";
import type { WebSocket } from "ws";

/**
 * Frames for a busy subscriber socket written together. Each event sent on
 * its own costs a socket write (a system call, and a read on the client's
 * side); when a socket's events come faster than `windowMs` apart, the ones
 * after the first are held (the TCP socket corked) and written in one go at
 * the end of the window. A socket whose last event was longer ago than the
 * window gets the next one at once, so a quiet subscription waits for
 * nothing; a busy one waits at most `windowMs`. Measured in bench/ (1,000
 * subscribers, 100 mutations/s): half the CPU per delivery on an instance that
 * only delivers, with a 20 ms window.
 */
export class FrameCoalescing {
  private readonly lastSent = new WeakMap<Socket, number>();
  private readonly corked = new Set<Socket>();
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(private readonly windowMs: number) {}

  /** Called right before a frame is sent on `socket`. */
  beforeSend(socket: WebSocket): void {
    // ws keeps the TCP socket in `_socket` (no public accessor); corking it only batches writes.
    const raw = (socket as unknown as { _socket?: Socket })._socket;
    if (!raw || this.windowMs <= 0) return;
    const now = performance.now();
    const last = this.lastSent.get(raw);
    this.lastSent.set(raw, now);
    if (this.corked.has(raw) || last === undefined || now - last > this.windowMs) return;
    raw.cork();
    this.corked.add(raw);
    this.flushTimer ??= setTimeout(() => this.flush(), this.windowMs);
  }

  /** Writes every held frame. */
  flush(): void {
    this.flushTimer = null;
    for (const raw of this.corked) if (!raw.destroyed) raw.uncork();
    this.corked.clear();
  }
}
