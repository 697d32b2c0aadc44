import type { AcceptRule } from '../config/config.js';
import type { DomainResult, Finding } from '../types.js';

// Accepted risks: a finding matched by a rule of the config's `accept` list stays in every report,
// marked accepted with the rule's reason, owner and expiry, and no longer counts for --fail-on or
// --fail-on-new. A rule past its expiry accepts nothing (its findings count again), and a rule
// that matched nothing in a run is reported, so the list does not rot.

export interface RuleUse {
  rule: AcceptRule;
  /** 0-based position in the config's list. */
  index: number;
  matched: number;
  expired: boolean;
}

/** `*` matches any run of characters (dots included); everything else is literal, case-insensitive. */
export function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .toLowerCase()
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(value.toLowerCase());
}

export class Acceptances {
  readonly #uses: RuleUse[];

  /** `today`: YYYY-MM-DD of the run (a rule expires after its day). */
  constructor(rules: readonly AcceptRule[], today: string) {
    this.#uses = rules.map((rule, index) => ({ rule, index, matched: 0, expired: rule.expires < today }));
  }

  get size(): number {
    return this.#uses.length;
  }

  /** Marks the findings of a result that a live rule accepts (in place); returns the result. */
  apply(result: DomainResult): DomainResult {
    if (this.#uses.length === 0) return result;
    for (const f of result.risks) {
      const use = this.#uses.find((u) => matches(u.rule, result.domain, f));
      if (!use) continue;
      if (use.expired) {
        use.matched++;
        continue;
      }
      use.matched++;
      f.accepted = { reason: use.rule.reason, owner: use.rule.owner, expires: use.rule.expires };
    }
    return result;
  }

  /** Rules that expired (and still match findings, which count again) and rules that matched nothing. */
  report(): { expired: RuleUse[]; unused: RuleUse[] } {
    return {
      expired: this.#uses.filter((u) => u.expired),
      unused: this.#uses.filter((u) => !u.expired && u.matched === 0),
    };
  }
}

function matches(rule: AcceptRule, domain: string, f: Finding): boolean {
  if (rule.kind !== undefined && rule.kind !== f.kind) return false;
  if (rule.layer !== undefined && rule.layer !== f.layer) return false;
  if (rule.provider !== undefined && !(f.provider !== undefined && globMatch(rule.provider, f.provider)))
    return false;
  if (rule.domain !== undefined && !globMatch(rule.domain, domain)) return false;
  return true;
}

/** A rule in a line: what it accepts and who owns it. */
export function describeRule(rule: AcceptRule): string {
  const what = [rule.kind, rule.layer, rule.provider, rule.domain].filter(Boolean).join(' ');
  return `${what} (owner ${rule.owner}, expires ${rule.expires})`;
}
