import type { WhatIfResult } from '../analyse/whatif.js';
import type { AuditDocument } from '../types.js';
import { batched } from './chunks.js';
import { escapeJsonText } from './escape.js';
import { RESULT_LIST, type ReportDocument } from './spill.js';

// The producer sorts the document, so serialising it is the whole renderer. It comes out in
// pieces, byte for byte what JSON.stringify(doc, null, 2) would give: the top levels (the
// document, its arrays such as `domains`, their items) are written member by member and only what
// lies below is stringified at once, so no single string grows with the number of domains (V8
// cannot hold a string over 512 MiB: a whole document of ~70k domains).

/** Levels written member by member; below them, a value is one JSON.stringify call. */
const EXPANDED_LEVELS = 3;

function indent(level: number): string {
  return '  '.repeat(level);
}

/** What JSON.stringify leaves out of an object (and writes as null in an array). */
function skipped(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/** A member's value as JSON.stringify sees it: after its toJSON(key), if it has one. */
function resolved(value: unknown, key: string): unknown {
  const toJSON = (value as { toJSON?: unknown } | null)?.toJSON;
  return typeof toJSON === 'function' ? toJSON.call(value, key) : value;
}

/** Objects JSON.stringify writes as a whole value: boxed primitives (toJSON resolved before). */
function expandable(value: unknown): value is object {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Number || value instanceof String || value instanceof Boolean)
  );
}

/** `value` (already resolved) at `level`: members and items of expanded levels one by one. */
function* pretty(value: unknown, level: number): Generator<string> {
  if (level >= EXPANDED_LEVELS || !expandable(value)) {
    // A toJSON result that itself has toJSON would be called again here (JSON.stringify would not).
    const text = JSON.stringify(value, null, 2);
    yield level === 0 ? text : text.replaceAll('\n', `\n${indent(level)}`);
    return;
  }
  const inner = indent(level + 1);
  // Results kept on disk (report/spill.ts) are written as the array they stand for.
  if (Array.isArray(value) || RESULT_LIST in value) {
    const list = value as Iterable<unknown> & { length: number };
    if (list.length === 0) return yield '[]';
    yield '[\n';
    let i = 0;
    for (const raw of list) {
      const item = resolved(raw, String(i));
      yield inner;
      if (skipped(item)) yield 'null';
      else yield* pretty(item, level + 1);
      yield ++i < list.length ? ',\n' : '\n';
    }
    return yield `${indent(level)}]`;
  }
  const entries = Object.keys(value)
    .map((key) => [key, resolved((value as Record<string, unknown>)[key], key)] as const)
    .filter(([, v]) => !skipped(v));
  if (entries.length === 0) return yield '{}';
  yield '{\n';
  for (const [i, [key, v]] of entries.entries()) {
    yield `${inner}${JSON.stringify(key)}: `;
    yield* pretty(v, level + 1);
    yield i < entries.length - 1 ? ',\n' : '\n';
  }
  yield `${indent(level)}}`;
}

/** `JSON.stringify(value, null, 2)` plus a newline, terminal-safe (escapeJsonText), in pieces. */
export function* jsonChunks(value: unknown): Generator<string> {
  // escapeJsonText replaces single characters: a run may end anywhere.
  for (const run of batched(pretty(resolved(value, ''), 0))) yield escapeJsonText(run);
  yield '\n';
}

export function renderJson(doc: ReportDocument | AuditDocument | WhatIfResult): string {
  return [...jsonChunks(doc)].join('');
}
