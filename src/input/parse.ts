import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { escapeTerminal, showControls } from '../report/escape.js';

/** Lines longer than this are rejected without being parsed (binary junk, pasted documents). */
export const MAX_LINE_LENGTH = 2048;

export interface InputProblem {
  line: number;
  /** The offending text, shortened and stripped of control characters for printing. */
  text: string;
  reason: string;
}

export type LineResult = { domain: string } | { skip: true } | { problem: Omit<InputProblem, 'line'> };

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

export function preview(text: string): string {
  // Controls made visible (`\x00`), then cut to 80 characters shown, never inside an escape.
  const shown = escapeTerminal(showControls(text.slice(0, 80)));
  if (shown.length <= 80 && text.length <= 80) return shown;
  let out = '';
  for (const c of text) {
    const piece = escapeTerminal(showControls(c));
    if (out.length + piece.length > 77) break;
    out += piece;
  }
  return `${out}...`;
}

/** Normalises one input line to a lower-case ASCII host name, or says why it cannot. */
export function parseDomainLine(raw: string): LineResult {
  if (raw.length > MAX_LINE_LENGTH)
    return { problem: { text: preview(raw), reason: `line longer than ${MAX_LINE_LENGTH} characters` } };
  let text = raw.replace(/^\uFEFF/, '').trim();
  const hash = text.search(/(^|\s)#/);
  if (hash >= 0) text = text.slice(0, hash).trim();
  if (!text) return { skip: true };
  let host = text;
  if (SCHEME.test(host)) {
    try {
      host = new URL(host).hostname;
    } catch {
      return { problem: { text: preview(raw), reason: 'not a valid URL' } };
    }
  } else {
    host = host.replace(/[/?].*$/, '');
    if (/^\[.*\](:\d+)?$/.test(host)) host = host.slice(1, host.indexOf(']'));
    else if (/^[^:]+:\d{1,5}$/.test(host)) host = host.slice(0, host.lastIndexOf(':'));
  }
  host = host.replace(/^\[|\]$/g, '');
  if (isIP(host)) return { problem: { text: preview(raw), reason: 'an IP address, not a domain name' } };
  host = host.replace(/\.$/, '');
  if (/\s/.test(host)) return { problem: { text: preview(raw), reason: 'contains whitespace' } };
  if (host.startsWith('*.'))
    return { problem: { text: preview(raw), reason: 'a wildcard, not a host name' } };
  const ascii = domainToASCII(host.toLowerCase());
  if (!ascii) return { problem: { text: preview(raw), reason: 'not a valid host name' } };
  const labels = ascii.split('.');
  if (ascii.length > 253 || !labels.every((l) => LABEL.test(l)))
    return { problem: { text: preview(raw), reason: 'not a valid host name' } };
  if (labels.length < 2)
    return { problem: { text: preview(raw), reason: 'not a fully qualified domain name' } };
  if (/^\d+$/.test(labels.at(-1)!))
    return { problem: { text: preview(raw), reason: 'not a valid host name' } };
  return { domain: ascii };
}

export interface ParsedList {
  domains: string[];
  problems: InputProblem[];
  /** Lines that repeated a domain already listed. */
  duplicates: number;
}

/** Parses a whole list held in memory; domains keep their first-seen order. */
export function parseDomainList(text: string): ParsedList {
  const acc = new ListAccumulator();
  for (const [i, line] of text.split(/\r?\n/).entries()) acc.add(line, i + 1);
  return acc.result();
}

/** Incremental parser for streamed input: feed lines, read domains as they come. */
export class ListAccumulator {
  private readonly seen = new Set<string>();
  private readonly domains: string[] = [];
  private readonly problems: InputProblem[] = [];
  private duplicates = 0;

  /** Returns the domain when the line adds a new one. */
  add(line: string, lineNumber: number): string | undefined {
    const r = parseDomainLine(line);
    if ('skip' in r) return undefined;
    if ('problem' in r) {
      this.problems.push({ line: lineNumber, ...r.problem });
      return undefined;
    }
    if (this.seen.has(r.domain)) {
      this.duplicates++;
      return undefined;
    }
    this.seen.add(r.domain);
    this.domains.push(r.domain);
    return r.domain;
  }

  result(): ParsedList {
    return { domains: this.domains, problems: this.problems, duplicates: this.duplicates };
  }
}
