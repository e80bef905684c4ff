/**
 * The ids of events whose change this process already signalled to the query
 * cache at commit (before its answer), so its outbox relay need not move the
 * tenant's generation on a second time when it publishes them: one
 * invalidation per change instead of two. Bounded: an id that fell out is
 * simply signalled again by the relay (harmless, only a lost hit).
 */
export class SignalledEvents {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 100_000) {}

  add(eventIds: readonly string[]): void {
    for (const id of eventIds) this.ids.add(id);
    // A Set iterates in insertion order: the oldest go first.
    for (const id of this.ids) {
      if (this.ids.size <= this.capacity) break;
      this.ids.delete(id);
    }
  }

  /** The tenants among `events` with a change this process did not signal; forgets the ones it did. */
  tenantsStillToSignal(events: readonly { tenantId: string; eventId: string }[]): string[] {
    const tenants = new Set<string>();
    for (const { tenantId, eventId } of events) {
      if (!this.ids.delete(eventId)) tenants.add(tenantId);
    }
    return [...tenants];
  }
}
