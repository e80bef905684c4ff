import type Redis from "ioredis";

export interface StreamEvent {
  stream: string;
  id: string;
  fields: Record<string, string>;
}

/** Entries of the given streams that belong to one tenant (streams are shared machine-wide). */
export async function streamEventsOf(redis: Pick<Redis, "xrange">, tenantId: string, streams: string[]): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for (const stream of streams) {
    for (const [id, flat] of await redis.xrange(stream, "-", "+")) {
      const fields: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]] = flat[i + 1];
      if (fields.tenant_id === tenantId) events.push({ stream, id, fields });
    }
  }
  return events;
}

/** Polls until `done` holds (generous deadline: delivery is asynchronous). */
export async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
