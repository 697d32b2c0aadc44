// Every string that came from the network (header values, certificate fields, host names from
// answers) is attacker-controlled. Each sink gets its own escaping; renderers call these and
// nothing else writes raw network text.

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// CSI / OSC / other ESC sequences, removed whole so no fragment survives as text.
const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])/g;
// Embeddings, overrides and isolates reorder what follows them ("Trojan Source"); the marks
// (LRM, RLM, ALM) flip neutral characters next to them. None belongs in a host name or header.
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// Line breaks a terminal or viewer may honour besides CR/LF: line and paragraph separators.
const BREAKS = /[\r\n\t\u2028\u2029]+/g;

/**
 * For a terminal: strip escape sequences, control characters (C0, DEL, C1 — so 8-bit CSI/OSC
 * too) and bidi controls; fold line breaks (a bare CR would let a value overwrite its own line).
 * No ESC survives: whatever the sequence regex misses, the control strip removes the ESC itself.
 */
export function escapeTerminal(value: string): string {
  return value.replace(ANSI, '').replace(BREAKS, ' ').replace(CONTROL, '').replace(BIDI, '');
}

const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/**
 * For showing a rejected input on a terminal: every control, bidi and line-breaking character
 * written as a visible escape (`\x00`, `\x1b`, `\u202e`) rather than removed, so that the reader
 * sees why the line was refused (a NUL stripped made `a\0b.example` look like a valid name).
 */
export function showControls(value: string): string {
  return value.replace(INVISIBLE, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** For HTML text and double- or single-quoted attribute values; bidi controls would reorder the page's text. */
export function escapeHtml(value: string): string {
  return value
    .replace(/[&<>"']/g, (c) => HTML[c]!)
    .replace(CONTROL, '')
    .replace(BIDI, '');
}

// A leading = + - @ (also in full width, and after spaces an import may trim) starts a formula.
const FORMULA = /^(?:[\t\r]|\s*[=+\-@\uff1d\uff0b\uff0d\uff20])/;

/** For a CSV cell: quote always, double quotes, and defuse spreadsheet formulas (= + - @ tab CR). */
export function escapeCsv(value: string): string {
  let v = value
    .replace(ANSI, '')
    .replace(CONTROL, (c) => (c === '\t' || c === '\r' || c === '\n' ? c : ''))
    .replace(BIDI, '');
  if (FORMULA.test(v)) v = `'${v}`;
  return `"${v.replace(/"/g, '""')}"`;
}

/**
 * GFM turns bare `https://…`, `www.…`, `mailto:`/`xmpp:` and e-mail addresses into links
 * (autolink literals): the `:` of a scheme, the `.` after `www` and every `@` are escaped, which
 * keeps the text and breaks the link (checked against micromark's GFM in hostile-escape).
 */
const AUTOLINK = /(?<=\b(?:https?|ftp|mailto|xmpp))(:)|(?<=\bwww)(\.)|(@)/gi;

/** For Markdown table cells and inline text: no pipes, backticks, HTML, links or line breaks survive. */
export function escapeMarkdown(value: string): string {
  return escapeTerminal(value)
    .replace(/[\\`*_{}[\]()#+!|<>~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(AUTOLINK, (c) => `\\${c}`);
}

const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * For serialised JSON read on a terminal: JSON.stringify leaves DEL, C1 controls, line separators
 * and bidi overrides raw. Outside strings JSON has only ASCII whitespace, so rewriting them as
 * \uXXXX keeps the document and its parsed value identical.
 */
export function escapeJsonText(json: string): string {
  return json.replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
