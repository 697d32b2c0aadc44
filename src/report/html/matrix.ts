import type { Dependency, DomainResult, Summary } from '../../types.js';
import type { ResultList } from '../spill.js';
import {
  compareText,
  LAYER_LETTER,
  LAYER_NAME,
  layerClass,
  layerRank,
  severityClass,
  severityRank,
} from './labels.js';
import { clip, html, type Markup } from './template.js';

const orderOf = (d: Dependency) => d.order ?? 0;

interface Chip {
  layer: string;
  /** E-mail only: `outbound` (sends) or `reports` (DMARC); absent = received. */
  direction?: string;
  /** 1-based position from the user's side when the layer has dependencies in series. */
  position?: number;
  positions?: number;
  alternative: boolean;
  singlePath: boolean;
}

/** Columns: every provider seen, most-used first; the domain's own infrastructure last. */
export function matrixProviders(domains: Iterable<DomainResult>): string[] {
  const count = new Map<string, number>();
  for (const d of domains) {
    for (const p of new Set(d.dependencies.map((x) => x.provider))) count.set(p, (count.get(p) ?? 0) + 1);
  }
  return [...count.keys()].sort(
    (a, b) =>
      Number(a === 'self') - Number(b === 'self') || count.get(b)! - count.get(a)! || compareText(a, b),
  );
}

function chipsFor(domain: DomainResult, provider: string): Chip[] {
  const chips: Chip[] = [];
  const layers = [...new Set(domain.dependencies.map((d) => d.layer))].sort(
    (a, b) => layerRank(a) - layerRank(b) || compareText(a, b),
  );
  const positions = layers.flatMap((layer) =>
    [...new Set(domain.dependencies.filter((d) => d.layer === layer).map((d) => d.direction))]
      .sort((a, b) => compareText(a, b))
      .map((direction) => ({ layer, direction })),
  );
  for (const { layer, direction } of positions) {
    // E-mail sent (SPF) and received (MX) are separate positions; DMARC report receivers hold none.
    const inLayer = domain.dependencies.filter((d) => d.layer === layer && d.direction === direction);
    const orders = [...new Set(inLayer.map(orderOf))].sort((a, b) => a - b);
    const mine = [...new Set(inLayer.filter((d) => d.provider === provider).map(orderOf))].sort(
      (a, b) => a - b,
    );
    // Marked from the snapshot's findings; the report never decides what a single path is.
    const singlePath = domain.risks.some(
      (r) =>
        r.kind === 'single-provider' &&
        r.layer === layer &&
        r.provider === provider &&
        (r.args.direction === 'outbound') === (direction === 'outbound') &&
        direction !== 'reports',
    );
    for (const order of mine) {
      const alternative = inLayer.some((d) => orderOf(d) === order && d.provider !== provider);
      chips.push({
        layer,
        ...(direction ? { direction } : {}),
        alternative,
        singlePath,
        ...(orders.length > 1 ? { position: orders.indexOf(order) + 1, positions: orders.length } : {}),
      });
    }
  }
  return chips;
}

function chip(c: Chip): Markup {
  const letter = LAYER_LETTER[c.layer as keyof typeof LAYER_LETTER] ?? c.layer;
  const name = LAYER_NAME[c.layer as keyof typeof LAYER_NAME] ?? c.layer;
  const notes = [
    c.direction === 'outbound' ? 'sends (SPF)' : c.direction === 'reports' ? 'DMARC reports' : '',
    c.position !== undefined ? `in series, position ${c.position} of ${c.positions} from the user` : '',
    c.alternative ? 'one of several alternatives' : '',
    c.singlePath ? 'single path' : '',
  ].filter(Boolean);
  const title = notes.length > 0 ? `${name}: ${notes.join(', ')}` : name;
  const cls = ['lt', layerClass(c.layer), c.singlePath ? 'spof' : '', c.alternative ? 'alt' : '']
    .filter(Boolean)
    .join(' ');
  const arrow = c.direction === 'outbound' ? '↑' : c.direction === 'reports' ? 'ʳ' : '';
  return html`<span class="${cls}" title="${title}">${letter}${arrow}${c.position !== undefined ? html`<sup>${c.position}</sup>` : ''}${c.alternative ? html`<span class="mark">∥</span>` : ''}</span>`;
}

function worst(domain: DomainResult): string | undefined {
  return domain.risks.map((r) => r.severity).sort((a, b) => severityRank(a) - severityRank(b))[0];
}

/** Parent → the subsidiaries its blast radius counts (microsoft → github), from the summary. */
export function ownedBy(summary: Summary | undefined): Map<string, ReadonlySet<string>> {
  return new Map(
    (summary?.blastRadius ?? []).filter((r) => r.owns?.length).map((r) => [r.provider, new Set(r.owns)]),
  );
}

/** A parent's cell where the domain uses only a subsidiary: its outage reaches the domain through it. */
function ownedCell(
  domain: DomainResult,
  provider: string,
  owned: ReadonlySet<string> | undefined,
): Markup | null {
  if (!owned) return null;
  const through = [...new Set(domain.dependencies.map((d) => d.provider).filter((p) => owned.has(p)))].sort(
    compareText,
  );
  if (through.length === 0) return null;
  return html`<td class="hit owned"><span class="via" title="${provider} owns ${through.join(', ')}">via ${through.join(', ')}</span></td>`;
}

/** The domain × provider matrix: its opening, a row per domain, its close (one table in all). */
export function* matrixParts(
  domains: ResultList,
  ids: readonly string[],
  providers: readonly string[] = matrixProviders(domains),
  owners: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
): Generator<Markup> {
  if (domains.length === 0) {
    yield html`<section id="matrix"><h2>Domain × provider matrix</h2><p class="muted">No domains.</p></section>`;
    return;
  }
  const head = providers.map(
    (p) => html`<th scope="col" class="prov-col" title="${p}"><span>${clip(p, 24)}</span></th>`,
  );
  yield html`<section id="matrix"><h2>Domain × provider matrix</h2>
<p class="lede">Which layer of each domain each provider serves: <span class="lt lt-dns">D</span> DNS, <span class="lt lt-cdn">C</span> CDN, <span class="lt lt-cloud">Cl</span> cloud, <span class="lt lt-ca">CA</span> certificate authority, <span class="lt lt-email">E</span> e-mail (received; E↑ sent through the senders its SPF record authorises, Eʳ DMARC reports). A superscript number is the position in series from the user (all are needed); <span class="mark">∥</span> marks alternatives (any one suffices); a filled letter is a single path; "via github" in a parent company's column: it owns that provider, so its outage reaches the domain.</p>
<div class="scroll"><table class="matrix"><thead><tr><th scope="col" class="corner">Domain</th>${head}</tr></thead><tbody>`;
  let i = 0;
  for (const d of domains) {
    const sev = worst(d);
    const cells = providers.map((p) => {
      const chips = chipsFor(d, p);
      if (chips.length > 0) return html`<td class="hit">${chips.map(chip)}</td>`;
      return ownedCell(d, p, owners.get(p)) ?? html`<td></td>`;
    });
    yield html`<tr class="mx-row"><th scope="row"><a href="#${ids[i++] ?? ''}">${d.domain}</a>${sev ? html` <span class="dot ${severityClass(sev)}" title="worst finding: ${sev}"></span>` : ''}${d.error ? html` <span class="tag err">error</span>` : ''}</th>${cells}</tr>`;
  }
  yield html`</tbody></table></div></section>`;
}
