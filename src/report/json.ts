import type { WhatIfResult } from '../analyse/whatif.js';
import type { AuditDocument } from '../types.js';
import { escapeJsonText } from './escape.js';

// The producer sorts the document, so serialising it is the whole renderer.

export function renderJson(doc: AuditDocument | WhatIfResult): string {
  return `${escapeJsonText(JSON.stringify(doc, null, 2))}\n`;
}
