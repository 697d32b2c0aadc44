import { lineage } from '../analyse/layer-loss.js';
import type { Catalogue } from '../catalogue/catalogue.js';
import { InputError } from '../errors.js';
import type { ReportDocument } from '../report/spill.js';

// What a user types for a provider: the catalogue id in any case ("CloudFlare"), a product or
// name that belongs to one provider only ("route53", "Amazon Web Services" → aws), optionally with
// a region (`aws@us-east-1`). A mistyped one would leave everything "unaffected" in silence: it is
// refused, with the nearest ids offered.

const squash = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

export class ProviderIds {
  /** squashed id, name or service → provider ids it names. */
  readonly #names = new Map<string, Set<string>>();
  readonly #ids = new Set<string>();

  constructor(catalogue: Catalogue, doc?: ReportDocument) {
    for (const [id, spec] of catalogue.providers) {
      this.#ids.add(id);
      this.#name(id, id);
      this.#name(spec.name, id);
      for (const list of Object.values(spec.signals ?? {}))
        for (const s of (list ?? []) as { service?: string }[]) if (s.service) this.#name(s.service, id);
    }
    for (const d of doc?.domains ?? [])
      for (const dep of [...d.dependencies, ...(d.indirect ?? [])])
        if (!this.#ids.has(dep.provider)) {
          this.#ids.add(dep.provider);
          this.#name(dep.provider, dep.provider);
        }
  }

  #name(name: string, id: string): void {
    const key = squash(name);
    if (!key) return;
    const set = this.#names.get(key) ?? new Set();
    set.add(id);
    this.#names.set(key, set);
  }

  /** The catalogue id `typed` names; an InputError with suggestions when it names none or several. */
  resolve(typed: string): string {
    if (this.#ids.has(typed)) return typed;
    const key = squash(typed);
    // An id spelt in another case wins over a product of the same name.
    const exact = [...this.#ids].find((id) => squash(id) === key);
    if (exact) return exact;
    const named = this.#names.get(key);
    if (named?.size === 1) return [...named][0]!;
    if (named && named.size > 1)
      throw new InputError(
        `provider "${typed}" is ambiguous: ${[...named].sort().join(', ')} all offer it; give the id`,
      );
    const near = [...this.#names.keys()]
      .map((k) => ({ k, d: distance(key, k) }))
      .filter(
        (x) => x.d <= Math.max(1, Math.floor(key.length / 3)) || (key.length >= 3 && x.k.startsWith(key)),
      )
      .sort((a, b) => a.d - b.d || (a.k < b.k ? -1 : 1))
      .flatMap((x) => [...this.#names.get(x.k)!]);
    const hints = [...new Set(near)].slice(0, 3);
    throw new InputError(
      `unknown provider "${typed}"${hints.length ? ` (did you mean ${hints.join(', ')}?)` : ''}; see \`singlepath providers\``,
    );
  }
}

/** The region grammars of a provider's host-name signals: the `region` group of each pattern. */
function regionGrammars(catalogue: Catalogue, id: string): RegExp[] {
  const spec = catalogue.providers.get(id);
  const out: RegExp[] = [];
  for (const kind of ['cname', 'ns', 'mx'] as const)
    for (const s of spec?.signals[kind] ?? []) {
      const inner = s.region ? groupSource(s.region, 'region') : undefined;
      if (inner) out.push(new RegExp(`^(?:${inner})$`, 'i'));
    }
  return out;
}

/** The source of the named group `name` in a regular expression's source. */
function groupSource(source: string, name: string): string | undefined {
  const start = source.indexOf(`(?<${name}>`);
  if (start < 0) return undefined;
  let depth = 0;
  for (let i = start; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return source.slice(start + name.length + 4, i);
  }
  return undefined;
}

/**
 * Resolves each `id[@region]` to the catalogue's id. A region must be one the snapshot shows for
 * that provider (or a company it owns), one its catalogue entry lists, or a name of the form its
 * host names carry; otherwise it is refused with the known ones listed.
 */
export function resolveOutage(
  specs: readonly string[],
  catalogue: Catalogue,
  doc: ReportDocument,
  parents: Record<string, string>,
): string[] {
  const ids = new ProviderIds(catalogue, doc);
  const lineageOf = lineage({ parents });
  return specs.map((spec) => {
    const at = spec.indexOf('@');
    const id = ids.resolve(at < 0 ? spec : spec.slice(0, at));
    if (at < 0) return id;
    const region = spec.slice(at + 1).trim();
    if (!region) throw new InputError(`provider "${spec}": the region after @ is empty`);
    const seen = new Set<string>();
    for (const d of doc.domains)
      for (const dep of d.dependencies)
        if (dep.region && lineageOf(dep.provider).includes(id)) seen.add(dep.region);
    for (const c of catalogue.providers.get(id)?.signals.cidr ?? []) if (c.region) seen.add(c.region);
    const known = [...seen].sort();
    const lower = region.toLowerCase();
    const match = known.find((k) => k.toLowerCase() === lower);
    if (match) return `${id}@${match}`;
    if (regionGrammars(catalogue, id).some((g) => g.test(region))) return `${id}@${lower}`;
    throw new InputError(
      `unknown region "${region}" for ${id}: known ${known.length ? known.join(', ') : 'none (no dependency of it carries a region)'}`,
    );
  });
}
