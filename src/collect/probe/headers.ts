// Response headers are attacker-controlled: bound how many and how long before they reach a snapshot.
import type { IncomingHttpHeaders } from 'node:http';
import { oneLine } from './status.js';

export const MAX_HEADERS = 100;
export const MAX_VALUES_PER_HEADER = 20;
export const MAX_VALUE_LENGTH = 2048;

export function truncate(value: string, max = MAX_VALUE_LENGTH): string {
  return value.length > max ? value.slice(0, max) : value;
}

export function boundHeaders(raw: IncomingHttpHeaders): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let count = 0;
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const key = oneLine(name.toLowerCase(), 256);
    // Assigned on a plain object, "__proto__" would replace its prototype rather than add a key.
    if (key === '__proto__') continue;
    if (count++ >= MAX_HEADERS) break;
    const values = Array.isArray(value) ? value : [value];
    out[key] = values.slice(0, MAX_VALUES_PER_HEADER).map((v) => truncate(v));
  }
  return out;
}
