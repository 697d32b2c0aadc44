import type { BlastRadius, LayerSummary, Summary } from '../../types.js';
import { radiusCounts } from '../summary-text.js';
import { compareText, hhiBand, LAYER_LETTER, LAYER_NAME, layerClass, layerRank } from './labels.js';
import { clip, html, type Markup, percent } from './template.js';

const TOP = 8;
const HHI_MAX = 10_000;

// Bars are inline SVG drawn here, so the page needs no script, and SVG fills still print when
// the browser drops CSS backgrounds.
function shareBar(fraction: number): Markup {
  const w = (Math.min(Math.max(fraction, 0), 1) * 100).toFixed(2);
  return html`<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true"><rect class="bar-track" width="100" height="10"/><rect class="bar-fill" width="${w}" height="10"/></svg>`;
}

function hhiGauge(hhi: number): Markup {
  const x = ((Math.min(Math.max(hhi, 0), HHI_MAX) / HHI_MAX) * 100).toFixed(2);
  return html`<svg class="gauge" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true"><rect class="zone-low" x="0" width="15" height="8"/><rect class="zone-mid" x="15" width="10" height="8"/><rect class="zone-high" x="25" width="75" height="8"/><rect class="gauge-mark" x="${x}" width="1" height="8" transform="translate(-0.5 0)"/></svg>`;
}

function layerCard(layer: LayerSummary, domains: number): Markup {
  const providers = [...layer.providers].sort(
    (a, b) => b.share - a.share || b.domains - a.domains || compareText(a.provider, b.provider),
  );
  const shown = providers.slice(0, TOP);
  const hidden = providers.length - shown.length;
  const band = hhiBand(layer.hhi);
  const hhi = Math.round(layer.hhi);
  const head = html`<div class="layer-head"><h3><span class="lt ${layerClass(layer.layer)}">${LAYER_LETTER[layer.layer] ?? '?'}</span> ${LAYER_NAME[layer.layer] ?? layer.layer}</h3><span class="muted">${layer.covered} of ${domains} domains with a third-party provider</span></div>`;
  if (providers.length === 0) {
    return html`<article class="card layer">${head}<p class="muted">No third-party provider seen at this layer.</p></article>`;
  }
  const rows = shown.map(
    (p) =>
      html`<li class="share-row"><span class="share-name" title="${p.provider}">${clip(p.provider, 28)}</span>${shareBar(p.share)}<span class="share-val"><b>${percent(p.share)}</b> <span class="muted">${p.domains}</span></span></li>`,
  );
  return html`<article class="card layer">${head}
<div class="hhi hhi-${band.band}"><div class="hhi-line"><span class="hhi-num">HHI ${hhi}</span><span class="hhi-band">${band.words}</span></div>${hhiGauge(layer.hhi)}</div>
<ol class="shares">${rows}</ol>${hidden > 0 ? html`<p class="muted small">+${hidden} more provider${hidden === 1 ? '' : 's'} not shown</p>` : ''}</article>`;
}

export function concentrationSection(summary: Summary): Markup {
  const layers = [...summary.layers].sort((a, b) => layerRank(a.layer) - layerRank(b.layer));
  return html`<section id="concentration"><h2>Provider concentration by layer</h2>
<p class="lede">Share of all audited domains that depend on each provider, then the number of domains (top ${TOP} per layer; a domain with alternatives counts for each). HHI: below 1500 unconcentrated, 1500–2500 moderate, above 2500 highly concentrated.</p>
<div class="layers">${layers.map((l) => layerCard(l, summary.domains))}</div></section>`;
}

/** Names of a blast-radius list; `total` counts the domains when the list is a cut sample. */
function domainList(names: readonly string[], cls: string, total: number): Markup {
  const sorted = [...names].sort(compareText);
  const LIMIT = 6;
  const items = (list: string[]) => list.map((n) => html`<li>${n}</li>`);
  const unlisted = total - sorted.length;
  const cut =
    unlisted > 0 ? html`<p class="muted small">… and ${unlisted} more not listed in the summary</p>` : '';
  if (sorted.length <= LIMIT) return html`<ul class="inline ${cls}">${items(sorted)}</ul>${cut}`;
  return html`<ul class="inline ${cls}">${items(sorted.slice(0, LIMIT))}</ul><details class="more"><summary>+${total - LIMIT} more</summary><ul class="inline ${cls}">${items(sorted.slice(LIMIT))}</ul>${cut}</details>`;
}

function blastRow(b: BlastRadius, rank: number, domains: number): Markup {
  const n = radiusCounts(b);
  const frac = domains > 0 ? n.down / domains : 0;
  return html`<tr><td class="num">${rank}</td><th scope="row" class="prov">${b.provider}${b.owns?.length ? html` <span class="muted small">(owns ${b.owns.join(', ')})</span>` : ''}</th><td class="num"><b>${n.down}</b></td><td class="bar-cell">${shareBar(frac)}</td><td class="num">${n.degraded}</td><td>${n.down > 0 ? domainList(b.down, 'down', n.down) : ''}${n.degraded > 0 ? html`<div class="small"><span class="muted">degraded: </span>${domainList(b.degraded, 'degraded', n.degraded)}</div>` : ''}${n.downIndirect > 0 ? html`<div class="small"><span class="muted">down via a provider's provider: </span>${domainList(b.downIndirect ?? [], 'down', n.downIndirect)}</div>` : ''}${(b.degradedIndirectCount ?? 0) > 0 ? html`<div class="small"><span class="muted">degraded via a provider's provider: </span>${domainList(b.degradedIndirect ?? [], 'degraded', b.degradedIndirectCount!)}</div>` : ''}</td></tr>`;
}

export function blastSection(summary: Summary): Markup {
  const ranked = [...summary.blastRadius].sort(
    (a, b) =>
      radiusCounts(b).down - radiusCounts(a).down ||
      radiusCounts(b).degraded - radiusCounts(a).degraded ||
      compareText(a.provider, b.provider),
  );
  const body =
    ranked.length === 0
      ? html`<p class="muted">No third-party provider recorded.</p>`
      : html`<div class="scroll"><table class="blast"><thead><tr><th class="num">#</th><th>Provider</th><th class="num">Down</th><th>Share of domains down</th><th class="num">Degraded</th><th>Domains</th></tr></thead><tbody>${ranked.map((b, i) => blastRow(b, i + 1, summary.domains))}</tbody></table></div>`;
  return html`<section id="blast"><h2>Blast radius</h2>
<p class="lede">If one provider fails: domains that go down (it is their only path for DNS, CDN or hosting) and domains that are degraded (they lose only certificates or e-mail).</p>${body}</section>`;
}
