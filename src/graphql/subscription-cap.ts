import type { WebSocket } from "ws";
import type { SubscriptionSlot, SubscriptionSlots } from "../infrastructure/rate-limit/subscription-slots";
import type { AuthState } from "../infrastructure/auth/principal";

// graphql-ws close code for a tenant that has all its subscriptions open (docs/domain.md, increment 2b).
const CLOSE_TOO_MANY_SUBSCRIPTIONS = 4429;

/**
 * The per-tenant cap on open subscriptions, at graphql-ws's hooks: a
 * subscribe beyond the cap closes the socket with 4429; each admitted
 * subscription holds a slot until it completes or its socket closes.
 */
export class SubscriptionCap {
  private readonly held = new WeakMap<WebSocket, Map<string, SubscriptionSlot>>();

  constructor(
    private readonly slots: SubscriptionSlots,
    private readonly onRefused: () => void,
  ) {}

  /** For a subscription operation: true to go on; false once the socket is closed with 4429. */
  async admit(socket: WebSocket, auth: AuthState | undefined, id: string): Promise<boolean> {
    if (auth?.kind !== "authenticated") return true;
    const slot = await this.slots.acquire(auth.principal.tenantId);
    if (!slot) {
      this.onRefused();
      socket.close(CLOSE_TOO_MANY_SUBSCRIPTIONS, "Too many open subscriptions for this tenant");
      return false;
    }
    // The socket closed while the slot was being taken: nothing will release it later.
    if (socket.readyState !== socket.OPEN) {
      slot.release();
      return false;
    }
    let slots = this.held.get(socket);
    if (!slots) {
      slots = new Map();
      this.held.set(socket, slots);
      // The socket's own close event, not graphql-ws's onClose: that one waits for every
      // subscription's iterator to return, which a generator parked on its next event delays.
      socket.once("close", () => this.releaseAll(socket));
    }
    slots.get(id)?.release();
    slots.set(id, slot);
    return true;
  }

  /** The subscription `id` ended. */
  release(socket: WebSocket, id: string): void {
    const slots = this.held.get(socket);
    slots?.get(id)?.release();
    slots?.delete(id);
  }

  /** The socket closed: whatever it still held is free. */
  private releaseAll(socket: WebSocket): void {
    for (const slot of this.held.get(socket)?.values() ?? []) slot.release();
    this.held.delete(socket);
  }
}
