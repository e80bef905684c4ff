import type { UnitOfWork } from "../unit-of-work";

/** What every command handler needs from the outside world. */
export interface CommandDeps {
  unitOfWork: UnitOfWork;
  clock: () => Date;
  newId: () => string;
}
