import { RESULT_LIST, type ReportDocument, type ResultList } from '../report/spill.js';
import type { DomainResult, LastGood } from '../types.js';
import { joined } from './diff.js';

// A domain that fails in tonight's run keeps, in tonight's snapshot, the facts of its last good
// run, so that next week's drift compares with those facts and not with an error (which would
// make every finding of a flaky name "new" again).

/** What a failing result carries from its baseline result: the baseline's facts, or what it carried. */
function carried(old: DomainResult | undefined, generatedAt: string): LastGood | undefined {
  if (!old) return undefined;
  if (old.error) return old.lastGood;
  // Without evidence: the drift never compares it, and a baseline that is a raw report (not a
  // snapshot) would bring request ids and addresses into an otherwise stable file.
  const good: LastGood = {
    generatedAt,
    dependencies: (old.dependencies ?? []).map((d) => ({ ...d, evidence: [] })),
    risks: old.risks ?? [],
  };
  if (old.indirect) good.indirect = old.indirect.map((d) => ({ ...d, evidence: [] }));
  return good;
}

/**
 * `doc` with each failing result given the last good facts the baseline holds for it. Both sides
 * are walked once per reading in name order (either may be kept on disk), nothing held.
 */
export function withLastGood(doc: ReportDocument, baseline: ReportDocument): ReportDocument {
  const source = doc.domains;
  const generatedAt = baseline.generatedAt ?? '';
  const list = {
    [RESULT_LIST]: true,
    length: source.length,
    *[Symbol.iterator]() {
      for (const [old, now] of joined(baseline.domains, source)) {
        if (!now) continue;
        const good = now.error && !now.lastGood ? carried(old, generatedAt) : undefined;
        yield good ? { ...now, lastGood: good } : now;
      }
    },
  } as ResultList;
  return { ...doc, domains: list };
}
