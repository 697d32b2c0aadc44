import { existsSync } from 'node:fs';
import { InputError } from '../errors.js';

// What `audit` was given to audit: a list file, `-` for stdin, nothing with a list piped on stdin,
// or the domains themselves (`audit example.com www.example.org`).

/** A list to read (a path or `-`), or domain names given as arguments. */
export type ListSource = string | { name: string; text: string };

const LIST_FILE = /\.(?:txt|csv|tsv|lst|list|json|ndjson|gz)$/i;

/** An argument that names a file rather than a host: it exists, or has a path or a list's extension. */
function looksLikeFile(arg: string): boolean {
  if (arg.includes('://')) return false;
  return existsSync(arg) || arg.includes('/') || arg.includes('\\') || LIST_FILE.test(arg);
}

export function listSource(args: readonly string[], stdinIsTty: boolean): ListSource {
  if (args.length === 0) {
    if (stdinIsTty)
      throw new InputError(
        'nothing to audit: give a list FILE, domain names (audit example.com www.example.org), or pipe a list on stdin',
      );
    return '-';
  }
  if (args.length === 1 && (args[0] === '-' || looksLikeFile(args[0]!))) return args[0]!;
  const files = args.filter((a) => a === '-' || looksLikeFile(a));
  if (files.length > 0)
    throw new InputError(
      `give one list file or domain names, not both (${files.map((f) => `"${f}"`).join(', ')} ${files.length === 1 ? 'is' : 'are'} not a domain name)`,
    );
  return { name: 'arguments', text: `${args.join('\n')}\n` };
}
