import { escapeHtml } from '../escape.js';

// Escaping is structural: the `html` tag escapes every interpolated value unless it is markup the
// tag itself produced. No function in the HTML report concatenates raw strings into markup.

const MARKUP = Symbol('markup');

export interface Markup {
  readonly [MARKUP]: string;
}

export type Value = Markup | string | number | null | undefined | false | readonly Value[];

function markup(text: string): Markup {
  return { [MARKUP]: text };
}

function isMarkup(value: unknown): value is Markup {
  return typeof value === 'object' && value !== null && MARKUP in value;
}

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (isMarkup(value)) return value[MARKUP];
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** Tagged template: literal parts are trusted markup, every `${value}` is escaped with escapeHtml. */
export function html(strings: TemplateStringsArray, ...values: Value[]): Markup {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return markup(out);
}

export function markupText(value: Markup): string {
  return value[MARKUP];
}

/** Fixed stylesheet text owned by the report (never data). */
export function trustedCss(css: string): Markup {
  return markup(css);
}

/** An id or class fragment from data: lower-case [a-z0-9-] only, never empty. */
export function slug(value: string): string {
  const s = value
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-|-$/g, '');
  return s.slice(0, 60) || 'x';
}

/** One unique id `prefix-slug` per key (same index), suffixing -2, -3 ... when slugs collide. */
export function uniqueIds(prefix: string, keys: readonly string[]): string[] {
  const used = new Set<string>();
  return keys.map((key) => {
    const base = `${prefix}-${slug(key)}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    return id;
  });
}

/** Shortens to `max` code points with an ellipsis (for labels; the full text goes in a title). */
export function clip(value: string, max: number): string {
  const chars = Array.from(value);
  return chars.length <= max ? value : `${chars.slice(0, max - 1).join('')}…`;
}

/** A fraction 0..1 as a percentage with at most one decimal, locale-independent. */
export function percent(fraction: number): string {
  const p = Math.round(Math.min(Math.max(fraction, 0), 1) * 1000) / 10;
  return `${p}%`;
}
