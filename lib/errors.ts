/**
 * Something the caller gave — a file, a flag, a request field, a policy document — breaks a rule:
 * the caller can fix it, nothing was changed, and it is never a bug. `field` names what to fix.
 * The CLI prints it as one line and exits 2; the operator Lambda answers `{ ok: false, field, error }`.
 * Any other error is a bug and keeps its stack.
 */
class InputError extends Error {
  constructor(
    message: string,
    readonly field: string | null = null,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'InputError';
  }
}

export { InputError };
