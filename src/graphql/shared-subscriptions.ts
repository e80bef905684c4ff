import type { ExecutionResult } from "graphql";
import type { WebSocket } from "ws";
import { PushedEventStream, type LiveEventStream } from "../application/live-event-stream";

/** What a shape needs from the transport: start its event source, execute an event, serialize a result. */
export interface ShapeRuntime {
  /** The source of the shape's events (the first subscriber's), or its refusal (an ExecutionResult with errors). */
  start(): Promise<AsyncIterator<unknown> | ExecutionResult>;
  /** One event executed once for the whole shape, with a context of its own. */
  execute(event: unknown): Promise<ExecutionResult>;
  /** The `payload` of the `next` message as JSON, errors formatted once and counted per recipient. */
  serialize(result: ExecutionResult, recipients: number): string;
}

/** Around each frame sent: coalescing busy sockets' writes (frame-coalescing.ts), closing too slow ones (slow-subscribers.ts). */
export interface SendHooks {
  beforeSend(socket: WebSocket): void;
  afterSend(socket: WebSocket): void;
}

const SUFFIX = Buffer.from("}");
const NEXT_TYPE = ',"type":"next","payload":';

/**
 * One subscriber of a shape: its socket and operation id (the only part of a
 * `next` message that is its own, kept as bytes), the position from which it
 * receives events, and the stream graphql-ws holds for it. That stream yields
 * nothing (events go straight to the socket); it ends when the shape ends,
 * and returning it (complete, socket closed, token expired) leaves the shape.
 */
class Member {
  readonly prefix: Buffer;
  readonly stream: PushedEventStream<never>;

  constructor(
    readonly socket: WebSocket,
    id: string,
    readonly from: number,
    leave: (member: Member) => void,
    private readonly hooks: SendHooks,
  ) {
    // graphql-ws writes {"id":…,"type":"next","payload":…}: the same bytes, built once per subscriber.
    this.prefix = Buffer.from(`{"id":${JSON.stringify(id)}${NEXT_TYPE}`);
    this.stream = new PushedEventStream<never>(() => leave(this));
  }

  send(payload: Buffer): boolean {
    if (this.socket.readyState !== this.socket.OPEN) return false;
    this.hooks.beforeSend(this.socket);
    this.socket.send(Buffer.concat([this.prefix, payload, SUFFIX], this.prefix.length + payload.length + SUFFIX.length), { binary: false });
    this.hooks.afterSend(this.socket);
    return true;
  }
}

/**
 * Subscribers with the same shape (subscription-shape.ts) sharing one source
 * and one execution per event. Events are numbered as they arrive from the
 * source and executed one at a time in that order (the order per lead holds);
 * a member gets the events that arrived after it joined, as a subscription of
 * its own would.
 */
class Shape {
  private readonly members = new Set<Member>();
  private readonly queue: { position: number; event: unknown }[] = [];
  private source: AsyncIterator<unknown> | null = null;
  private arrived = 0;
  private executing = false;
  private sourceEnded = false;
  private failure: { error: unknown } | null = null;
  private closed = false;
  /** Null once the source is live; else the refusal each waiting subscriber answers with. */
  readonly started: Promise<ExecutionResult | null>;

  constructor(
    private readonly runtime: ShapeRuntime,
    private readonly onExecuted: () => void,
    private readonly onDelivered: (count: number) => void,
    private readonly forget: (shape: Shape) => void,
    private readonly hooks: SendHooks,
  ) {
    this.started = this.start();
  }

  join(socket: WebSocket, id: string): Member {
    const member = new Member(socket, id, this.arrived, (left) => this.leave(left), this.hooks);
    this.members.add(member);
    return member;
  }

  /** True while new subscribers may join (the source has not ended). */
  get open(): boolean {
    return !this.closed && !this.sourceEnded;
  }

  private async start(): Promise<ExecutionResult | null> {
    const started = await this.runtime.start();
    if (!("next" in started) || typeof started.next !== "function") {
      this.closed = true;
      this.forget(this);
      this.members.clear();
      return started as ExecutionResult;
    }
    this.source = started as AsyncIterator<unknown>;
    // Every member may have left while the source was being opened.
    if (this.members.size === 0) this.close();
    else void this.read();
    return null;
  }

  /** Reads the source as events come, numbering them, independent of how long executing takes. */
  private async read(): Promise<void> {
    const source = this.source!;
    try {
      for (;;) {
        const step = await source.next();
        if (step.done || this.closed) break;
        this.queue.push({ position: this.arrived++, event: step.value });
        void this.executeQueued();
      }
    } catch (error) {
      this.failure = { error };
    }
    this.sourceEnded = true;
    this.forget(this);
    void this.executeQueued();
  }

  /** One event at a time, in arrival order: executed and serialized once, the same bytes to every member that was there. */
  private async executeQueued(): Promise<void> {
    if (this.executing) return;
    this.executing = true;
    try {
      while (this.queue.length && !this.closed) {
        const { position, event } = this.queue.shift()!;
        const recipients = [...this.members].filter((member) => member.from <= position);
        if (!recipients.length) continue;
        const result = await this.runtime.execute(event);
        this.onExecuted();
        const current = recipients.filter((member) => this.members.has(member));
        const payload = Buffer.from(this.runtime.serialize(result, current.length));
        let delivered = 0;
        for (const member of current) if (member.send(payload)) delivered += 1;
        this.onDelivered(delivered);
      }
    } finally {
      this.executing = false;
    }
    if (this.sourceEnded && !this.queue.length) this.endMembers();
  }

  /** The source ended or failed: every member's stream ends the same way (graphql-ws then sends complete or error). */
  private endMembers(): void {
    const members = [...this.members];
    this.members.clear();
    this.closed = true;
    for (const member of members) {
      if (this.failure) member.stream.fail(this.failure.error);
      else void member.stream.return();
    }
  }

  private leave(member: Member): void {
    if (!this.members.delete(member)) return;
    if (this.members.size === 0 && this.source) this.close();
  }

  /** No member left: the source is let go at once (a subscriber alone would have done the same). */
  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.forget(this);
    void this.source?.return?.();
  }
}

/**
 * Hasura-style multiplexing of live events: one source and one execution per
 * shape and event, whatever the number of subscribers, each receiving the
 * same serialized payload under its own operation id.
 */
export class SharedSubscriptions {
  private readonly shapes = new Map<string, Shape>();

  constructor(
    private readonly onExecuted: () => void,
    private readonly onDelivered: (count: number) => void,
    private readonly hooks: SendHooks,
  ) {}

  /**
   * Joins the shape `key` (starting it with `runtime` when none is open): the
   * stream to hand to graphql-ws, or the refusal to answer with.
   */
  async subscribe(key: string, socket: WebSocket, id: string, runtime: () => ShapeRuntime): Promise<LiveEventStream<never> | ExecutionResult> {
    let shape = this.shapes.get(key);
    if (!shape?.open) {
      const created: Shape = new Shape(
        runtime(),
        this.onExecuted,
        this.onDelivered,
        (ended) => {
          if (this.shapes.get(key) === ended) this.shapes.delete(key);
        },
        this.hooks,
      );
      shape = created;
      this.shapes.set(key, created);
    }
    const member = shape.join(socket, id);
    const refusal = await shape.started;
    if (refusal) return refusal;
    return member.stream;
  }

  /** Shapes with a live source (for tests and a gauge). */
  get size(): number {
    return this.shapes.size;
  }
}
