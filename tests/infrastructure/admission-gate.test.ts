import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ServiceOverloadedError } from "../../src/application/service-overloaded";
import { AdmissionGate, type Admission } from "../../src/infrastructure/overload/admission-gate";

type Admitted = Extract<Admission, { admitted: true }>;

/** An admission that must have been granted. */
function granted(admission: Admission): Admitted {
  if (!admission.admitted) throw new Error(`expected admission, was shed (${admission.reason})`);
  return admission;
}

/** Whether a promise has settled, without waiting for it. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await Promise.resolve();
  await Promise.resolve();
  return done;
}

describe("the admission gate in front of the database", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("admits up to its places, queues the next ones, and sheds at once when the queue is full", async () => {
    const gate = new AdmissionGate({ maxInFlight: 2, maxQueue: 1, maxQueueWaitMs: 10_000 });
    const first = granted(await gate.enter());
    granted(await gate.enter());
    const queued = gate.enter();
    expect(await settled(queued)).toBe(false);
    expect(gate.load).toEqual({ inFlight: 2, queued: 1 });

    const refused = await gate.enter();
    expect(refused).toMatchObject({ admitted: false, reason: "queue_full" });
    expect(refused.admitted === false && refused.retryAfterMs).toBeGreaterThanOrEqual(1000);

    // A place given back goes to the one waiting, not to a newcomer.
    first.release();
    granted(await queued);
    expect(gate.load).toEqual({ inFlight: 2, queued: 0 });
    const again = gate.enter();
    expect(await gate.enter()).toMatchObject({ admitted: false, reason: "queue_full" });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await again).toMatchObject({ admitted: false, reason: "wait_too_long" });
  });

  it("serves waiters first come, first served, and a place is given back once however often release is called", async () => {
    const gate = new AdmissionGate({ maxInFlight: 1, maxQueue: 3, maxQueueWaitMs: 10_000 });
    const holder = granted(await gate.enter());
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) => gate.enter().then((admission) => (order.push(n), granted(admission))));
    holder.release();
    holder.release();
    const second = await waiters[0];
    expect(order).toEqual([1]);
    expect(gate.load).toEqual({ inFlight: 1, queued: 2 });
    second.release();
    (await waiters[1]).release();
    (await waiters[2]).release();
    expect(order).toEqual([1, 2, 3]);
    expect(gate.load).toEqual({ inFlight: 0, queued: 0 });
  });

  it("sheds a waiter whose wait reaches the bound, and it no longer counts as waiting", async () => {
    const gate = new AdmissionGate({ maxInFlight: 1, maxQueue: 5, maxQueueWaitMs: 500 });
    const holder = granted(await gate.enter());
    const waiting = gate.enter();
    await vi.advanceTimersByTimeAsync(499);
    expect(await settled(waiting)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await waiting).toMatchObject({ admitted: false, reason: "wait_too_long" });
    expect(gate.load).toEqual({ inFlight: 1, queued: 0 });
    holder.release();
    expect(gate.load).toEqual({ inFlight: 0, queued: 0 });
  });

  it("sheds at once a newcomer whose expected wait (queue position x recent hold time) exceeds the bound", async () => {
    const gate = new AdmissionGate({ maxInFlight: 1, maxQueue: 100, maxQueueWaitMs: 1000 });
    // Operations have been holding their place for 400 ms each.
    const slow = granted(await gate.enter());
    await vi.advanceTimersByTimeAsync(400);
    slow.release();
    granted(await gate.enter());
    const waiting = [gate.enter(), gate.enter()]; // expected waits 400 and 800 ms: queued
    expect(gate.load.queued).toBe(2);
    const third = await gate.enter(); // 1,200 ms expected: over the bound
    expect(third).toMatchObject({ admitted: false, reason: "wait_too_long" });
    // Retry once what is in hand and queued has likely drained: 3 x 400 ms, in whole seconds.
    expect(third.admitted === false && third.retryAfterMs).toBe(2000);
    await vi.advanceTimersByTimeAsync(1000);
    await Promise.all(waiting);
  });

  it("with no queue, sheds whatever finds every place taken", async () => {
    const gate = new AdmissionGate({ maxInFlight: 1, maxQueue: 0, maxQueueWaitMs: 1000 });
    const holder = granted(await gate.enter());
    expect(await gate.enter()).toMatchObject({ admitted: false, reason: "queue_full" });
    holder.release();
    granted(await gate.enter());
  });

  it("run: shed work never starts and fails with SERVICE_OVERLOADED; admitted work gives its place back even when it fails", async () => {
    const gate = new AdmissionGate({ maxInFlight: 1, maxQueue: 0, maxQueueWaitMs: 1000 });
    const sheds: string[] = [];
    await expect(gate.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(gate.load.inFlight).toBe(0);

    let release!: () => void;
    const holding = gate.run(() => new Promise<void>((resolve) => (release = resolve)));
    let started = false;
    const refused = gate.run(async () => (started = true), (reason) => sheds.push(reason));
    await expect(refused).rejects.toBeInstanceOf(ServiceOverloadedError);
    await expect(refused).rejects.toMatchObject({ extensions: { code: "SERVICE_OVERLOADED", retryAfterMs: 1000 } });
    expect(started).toBe(false);
    expect(sheds).toEqual(["queue_full"]);
    release();
    await holding;
    expect(await gate.run(async () => "ran")).toBe("ran");
  });
});
