import type { DomainResult, RunNote } from '../types.js';
import { byString } from './layer-loss.js';

// Facts about the run rather than a domain, told once however many domains show them.

const EXAMPLES = 3;

/** Collects, per resolver, the domains whose vantage queries it answered without the ECS option. */
export class RunNotes {
  private readonly ecsIgnored = new Map<string, { count: number; examples: string[] }>();
  private readonly noDirect = { count: 0, examples: [] as string[] };

  add(result: DomainResult): void {
    if (result.observations?.dns?.delegation?.status === 'NO_DIRECT') {
      this.noDirect.count++;
      this.noDirect.examples.push(result.domain);
      if (this.noDirect.examples.length > EXAMPLES)
        this.noDirect.examples = this.noDirect.examples.sort(byString).slice(0, EXAMPLES);
    }
    const resolvers = new Set(
      // Hand-built or trimmed documents may carry no observations: nothing to note then.
      (result.observations?.dns?.vantages ?? []).filter((v) => v.ecs === 'ignored').map((v) => v.resolver),
    );
    for (const resolver of resolvers) {
      const entry = this.ecsIgnored.get(resolver) ?? { count: 0, examples: [] };
      entry.count++;
      // The first names in code-unit order, whatever order the results come in (a streamed or
      // merged run feeds them as they finish; a document, sorted).
      entry.examples.push(result.domain);
      if (entry.examples.length > EXAMPLES) entry.examples = entry.examples.sort(byString).slice(0, EXAMPLES);
      this.ecsIgnored.set(resolver, entry);
    }
  }

  finish(): RunNote[] {
    const notes = this.ecsNotes();
    const { count, examples } = this.noDirect;
    if (count > 0) {
      const sorted = [...examples].sort(byString);
      notes.push({
        code: 'dns-checks-unavailable',
        count,
        examples: sorted,
        message: `direct queries to name servers got no answer from here, not even from the root: this network probably lets only its own resolvers reach port 53. The DNS layer of ${count} domain${count === 1 ? '' : 's'} (${sorted.join(', ')}${count > sorted.length ? ', …' : ''}) was judged from the resolver's view (lame or out-of-sync servers cannot be seen from it); run where port 53 is open, or use --dns-checks off to silence this`,
      });
    }
    return notes;
  }

  private ecsNotes(): RunNote[] {
    return [...this.ecsIgnored]
      .sort(([a], [b]) => byString(a, b))
      .map(([resolver, { count, examples }]) => {
        const sorted = [...examples].sort(byString);
        const who = resolver || 'the resolver';
        return {
          code: 'ecs-ignored',
          resolver,
          count,
          examples: sorted,
          message: `${who} ignored the EDNS client subnet for ${count} domain${count === 1 ? '' : 's'} (${sorted.join(', ')}${count > sorted.length ? ', …' : ''}): its answers there are one view, not regional views`,
        };
      });
  }
}
