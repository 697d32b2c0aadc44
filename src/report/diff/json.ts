import type { SnapshotDiff } from '../../snapshot/diff.js';
import { jsonChunks } from '../json.js';

// The diff is built sorted, so serialising it is the whole renderer: in pieces, since the first
// diff of a long list can name millions of new findings (past what one string can hold).

export function diffJsonChunks(diff: SnapshotDiff): Iterable<string> {
  return jsonChunks(diff);
}
