import type { RedisClient } from "./redis-connection";
import { PushedEventStream, type LiveEventStream } from "../../application/live-event-stream";
import type { LiveEventBus, PublishedLeadEvent } from "../../application/live-events";

type Listener = (event: PublishedLeadEvent) => void;

/**
 * Live events across instances: every instance publishes to and subscribes
 * from Redis pub/sub, so a subscriber on B sees what A committed.
 *
 * One Redis channel per tenant, subscribed while the instance has at least one
 * listener on it and unsubscribed when the last one goes. SUBSCRIBE and
 * UNSUBSCRIBE are sent one at a time, each brought in line with the listeners
 * as they are then: ioredis leaves subscriber mode when an UNSUBSCRIBE answers
 * "0 channels left", and a SUBSCRIBE already in flight at that moment leaves the
 * connection deaf to every message (what graphql-redis-subscriptions did when a
 * tenant's last subscriber left and a new one came within a round trip).
 */
export class RedisEventBus implements LiveEventBus {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly subscribedChannels = new Set<string>();
  private channelCommands: Promise<void> = Promise.resolve();

  constructor(
    private readonly publisher: RedisClient,
    private readonly subscriber: RedisClient,
  ) {
    subscriber.on("message", (channel: string, message: string) => this.deliver(channel, message));
  }

  async publish(topic: string, event: PublishedLeadEvent): Promise<void> {
    await this.publisher.publish(topic, JSON.stringify(event));
  }

  subscribe(topic: string): LiveEventStream<PublishedLeadEvent> {
    return this.attach(topic).stream;
  }

  async subscribeNow(topic: string): Promise<LiveEventStream<PublishedLeadEvent>> {
    const { stream, attached } = this.attach(topic);
    // The SUBSCRIBE (or the one already made for this channel) has been acknowledged
    // once the channel's queued commands have run: from then on nothing is missed.
    await attached;
    return stream;
  }

  private attach(topic: string): { stream: PushedEventStream<PublishedLeadEvent>; attached: Promise<void> } {
    const listener: Listener = (event) => stream.push(event);
    const stream = new PushedEventStream<PublishedLeadEvent>(() => {
      const listening = this.listeners.get(topic);
      listening?.delete(listener);
      if (listening?.size === 0) this.listeners.delete(topic);
      this.syncChannel(topic).catch(() => {}); // a failed UNSUBSCRIBE goes with the connection
    });
    const listening = this.listeners.get(topic) ?? new Set<Listener>();
    this.listeners.set(topic, listening.add(listener));
    const attached = this.syncChannel(topic);
    attached.catch((error: unknown) => stream.fail(error));
    return { stream, attached };
  }

  async close(): Promise<void> {
    await Promise.all([this.publisher.quit(), this.subscriber.quit()]);
  }

  /** Subscribes or unsubscribes the channel so it matches whether anyone listens, after the commands before it. */
  private syncChannel(topic: string): Promise<void> {
    const sync = this.channelCommands.then(async () => {
      const wanted = this.listeners.has(topic);
      if (wanted && !this.subscribedChannels.has(topic)) {
        await this.subscriber.subscribe(topic);
        this.subscribedChannels.add(topic);
      } else if (!wanted && this.subscribedChannels.has(topic)) {
        this.subscribedChannels.delete(topic);
        await this.subscriber.unsubscribe(topic);
      }
    });
    this.channelCommands = sync.catch(() => {});
    return sync;
  }

  private deliver(channel: string, message: string): void {
    const listening = this.listeners.get(channel);
    if (!listening) return;
    let event: PublishedLeadEvent;
    try {
      event = JSON.parse(message) as PublishedLeadEvent;
    } catch {
      return; // not ours: only this service publishes on these channels, as JSON
    }
    for (const listener of listening) listener(event);
  }
}
