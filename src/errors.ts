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

/** System error codes in words: a user reads "no such file or folder", not ENOENT. */
const PLAIN: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EFBIG: 'file too large',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files on the system',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many symbolic links',
  EBUSY: 'busy',
  EXDEV: 'on another device',
  EIO: 'input/output error',
  ENOTEMPTY: 'folder not empty',
  EADDRINUSE: 'address already in use',
  EINVAL: 'invalid argument',
};

/** The words for a system error code, or the code itself when it has none here. */
export function plainCode(code: string | undefined): string {
  return code ? (PLAIN[code] ?? code) : 'error';
}

/** A message with every system error code it names put in words ("…: ENOENT" → "…: no such file or folder"). */
export function plainWords(message: string): string {
  return message.replace(/\bE[A-Z]{2,}\b/g, (code) => PLAIN[code] ?? code);
}
