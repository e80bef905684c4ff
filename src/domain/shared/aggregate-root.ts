/** Records what happened to an aggregate and hands the events over exactly once. */
export abstract class AggregateRoot<E> {
  private recorded: E[] = [];

  protected record(event: E): void {
    this.recorded.push(event);
  }

  pullEvents(): E[] {
    const events = this.recorded;
    this.recorded = [];
    return events;
  }
}
