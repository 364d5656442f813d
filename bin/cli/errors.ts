import { InputError } from '../../lib/errors';

/** A bad flag or an unreadable file: an input error of the CLI. Exits 2 with one line. */
class UsageError extends InputError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, null, options);
    this.name = 'UsageError';
  }
}

/** A run that ended failed: exits 1 with one line (the run's error), not a stack. */
class RunFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunFailedError';
  }
}

export { RunFailedError, UsageError };
