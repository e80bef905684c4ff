import { randomUUID } from "node:crypto";
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { narrowed, onceEnded, PushedEventStream, type LiveEventStream } from "../../src/application/live-event-stream";
import { tenantTopic, type PublishedLeadEvent } from "../../src/application/live-events";
import { InProcessEventBus } from "../../src/infrastructure/events/in-process-event-bus";
import { RedisEventBus } from "../../src/infrastructure/redis/redis-event-bus";
import { eventually } from "../support/redis-streams";

const redisUrl = inject("redisUrl");

function anEvent(tenantId: string, leadId = randomUUID()): PublishedLeadEvent {
  return {
    eventId: randomUUID(),
    name: "LeadCaptured",
    tenantId,
    leadId,
    version: 1,
    occurredAt: new Date().toISOString(),
    actorId: null,
    payload: {},
    lead: null,
  };
}

const never = () => false;

describe("a live event stream lets go at once", () => {
  it("return() resolves a pending next() with done and releases exactly once", async () => {
    let releases = 0;
    const stream = new PushedEventStream<number>(() => releases++);
    const pending = stream.next();
    await stream.return();
    expect(await pending).toEqual({ done: true, value: undefined });
    await stream.return();
    await expect(stream.throw(new Error("late"))).rejects.toThrow("late");
    expect(releases).toBe(1);
    stream.push(1);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it("a narrowed stream waiting for a match that never comes still returns at once", async () => {
    let releases = 0;
    const source = new PushedEventStream<number>(() => releases++);
    const evenOnly = narrowed(source, (n) => n % 2 === 0);
    const pending = evenOnly.next();
    source.push(1);
    source.push(3);
    await evenOnly.return();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(releases).toBe(1);
  });

  it("a failed source rejects the waiting next() once, then is done", async () => {
    const stream = new PushedEventStream<number>(() => {});
    const pending = stream.next();
    stream.fail(new Error("SUBSCRIBE refused"));
    await expect(pending).rejects.toThrow("SUBSCRIBE refused");
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it("onceEnded (how the subscription gauge is kept) calls back exactly once however the stream ends", async () => {
    let active = 0;
    const bus = new InProcessEventBus();
    const counted = (stream: LiveEventStream<PublishedLeadEvent>) => {
      active++;
      return onceEnded(stream, () => active--);
    };
    const topic = tenantTopic(randomUUID());
    const returned = counted(bus.subscribe(topic));
    const thrown = counted(bus.subscribe(topic));
    const failed = counted(bus.subscribe(topic));
    expect(active).toBe(3);
    await returned.return();
    await returned.return();
    await expect(thrown.throw(new Error("client gone"))).rejects.toThrow();
    await failed.return();
    await failed.next();
    expect(active).toBe(0);
  });

  it("the in-process bus detaches every listener of 2,000 returned subscriptions", async () => {
    const bus = new InProcessEventBus();
    const topic = tenantTopic(randomUUID());
    const streams = Array.from({ length: 2000 }, () => narrowed(bus.subscribe(topic), never));
    const pending = streams.map((stream) => stream.next());
    await bus.publish(topic, anEvent(randomUUID()));
    expect(bus.listenerCount(topic)).toBe(2000);
    await Promise.all(streams.map((stream) => stream.return()));
    expect(await Promise.all(pending)).toEqual(streams.map(() => ({ done: true, value: undefined })));
    expect(bus.listenerCount(topic)).toBe(0);
  });
});

describe.skipIf(!redisUrl && !process.env.CI)("the Redis bus unsubscribes the channel with its last listener", () => {
  let publisher: Redis;
  let subscriber: Redis;
  let observer: Redis;
  let bus: RedisEventBus;

  beforeAll(() => {
    publisher = new Redis(redisUrl as string);
    subscriber = new Redis(redisUrl as string);
    observer = new Redis(redisUrl as string);
    bus = new RedisEventBus(publisher, subscriber);
  });
  afterAll(async () => {
    await bus?.close();
    observer?.disconnect();
  });

  async function subscribersOf(topic: string): Promise<number> {
    const [, count] = (await observer.pubsub("NUMSUB", topic)) as [string, number];
    return Number(count);
  }

  it("2,000 filtered subscriptions share one channel, which goes when the last is returned", async () => {
    const tenantId = randomUUID();
    const topic = tenantTopic(tenantId);
    const streams: LiveEventStream<PublishedLeadEvent>[] = Array.from({ length: 2000 }, () => narrowed(bus.subscribe(topic), never));
    const pending = streams.map((stream) => stream.next());
    expect(await eventually(() => subscribersOf(topic), (n) => n === 1)).toBe(1);
    await bus.publish(topic, anEvent(tenantId));

    await Promise.all(streams.slice(1).map((stream) => stream.return()));
    // One listener left: the channel stays.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await subscribersOf(topic)).toBe(1);
    await streams[0].return();
    expect(await eventually(() => subscribersOf(topic), (n) => n === 0)).toBe(0);
    expect(await Promise.all(pending)).toEqual(streams.map(() => ({ done: true, value: undefined })));
  });

  it("a subscription returned before Redis confirmed the SUBSCRIBE still unsubscribes", async () => {
    const topic = tenantTopic(randomUUID());
    const stream = bus.subscribe(topic);
    await stream.return();
    expect(await eventually(() => subscribersOf(topic), (n) => n === 0)).toBe(0);
    // And the next subscriber of that tenant gets its channel back.
    const again = bus.subscribe(topic);
    const event = anEvent(randomUUID());
    expect(await eventually(() => subscribersOf(topic), (n) => n === 1)).toBe(1);
    await bus.publish(topic, event);
    expect((await again.next()).value).toMatchObject({ eventId: event.eventId });
    await again.return();
    expect(await eventually(() => subscribersOf(topic), (n) => n === 0)).toBe(0);
  });

  it("a tenant's last subscriber leaving and a new one arriving in the same moment: the new one still gets events", async () => {
    const topic = tenantTopic(randomUUID());
    const leaving = bus.subscribe(topic);
    expect(await eventually(() => subscribersOf(topic), (n) => n === 1)).toBe(1);
    const [, arriving] = [await leaving.return(), bus.subscribe(topic)];
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await subscribersOf(topic)).toBe(1);
    const event = anEvent(randomUUID());
    await bus.publish(topic, event);
    expect((await arriving.next()).value).toMatchObject({ eventId: event.eventId });
    await arriving.return();
    expect(await eventually(() => subscribersOf(topic), (n) => n === 0)).toBe(0);
  });
});
