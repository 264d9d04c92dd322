import { uuidv7 } from "uuidv7";

/** Time-ordered ids (UUIDv7): sortable, so keyset pagination on (time, id) stays stable. */
export function newId(): string {
  return uuidv7();
}
