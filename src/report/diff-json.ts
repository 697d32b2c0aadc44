import type { SnapshotDiff } from '../snapshot/diff.js';
import { escapeJsonText } from './escape.js';

// The diff is built sorted, so serialising it is the whole renderer.

export function renderDiffJson(diff: SnapshotDiff): string {
  return `${escapeJsonText(JSON.stringify(diff, null, 2))}\n`;
}
