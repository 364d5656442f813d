/** A failure the operator can fix: bad arguments, unreadable files. Exits 2 with one line. */
class UsageError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
  }
}

export { UsageError };
