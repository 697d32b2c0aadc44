/** Bad user input (domain list, arguments): the CLI prints the message on one line and exits 2. */
export class InputError extends Error {
  override name = 'InputError';
}

/** Bad configuration (catalogue file, option values): the CLI prints the message on one line and exits 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function isUserError(err: unknown): err is InputError | ConfigError {
  return err instanceof InputError || err instanceof ConfigError;
}
