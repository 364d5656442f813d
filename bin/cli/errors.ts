import { InputError } from '../../lib/errors';

/** A bad flag or an unreadable file: an input error of the CLI. Exits 2 with one line. */
class UsageError extends InputError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, null, options);
    this.name = 'UsageError';
  }
}

export { UsageError };
