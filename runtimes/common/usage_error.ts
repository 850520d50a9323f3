/** A flag a user got wrong: one line, no stack. */
export class UsageError extends Error {
  override name = "UsageError";
}
