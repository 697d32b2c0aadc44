import type { Study, StudyLayer } from '../../types.js';
import { topShare } from '../markdown-study.js';
import { LAYER_NAME, layerClass, layerRank } from './labels.js';
import { html, type Markup, percent } from './template.js';

// The study view (Kashaf, Sekar, Agarwal, IMC 2020): the impact curve drawn as inline SVG (no
// script, nothing loaded) and the table beside it. Figures come from the summary.

const K_MAX = 10;
/** Rows shown at most in the amplification and provider-to-provider tables. */
const MAX_ROWS = 25;
const num = (v: number): string => String(Math.round(v * 100) / 100);

/** x: k = 1..10 across 0..100; y: the share, 100 at the bottom (0%) to 0 at the top (100%). */
function curvePoints(layer: StudyLayer): string {
  return layer.concentration
    .slice(0, K_MAX)
    .map(
      (c) => `${num(((c.k - 1) / (K_MAX - 1)) * 100)},${num(100 - Math.min(Math.max(c.share, 0), 1) * 100)}`,
    )
    .join(' ');
}

function curve(layers: readonly StudyLayer[]): Markup {
  const drawn = layers.filter((l) => l.concentration.length > 0);
  const grid = [25, 50, 75].map(
    (y) => html`<rect class="curve-grid" x="0" y="${y}" width="100" height="0.4"/>`,
  );
  const lines = drawn.map(
    (l) => html`<polyline class="curve-${layerClass(l.layer).slice(3)}" points="${curvePoints(l)}"/>`,
  );
  const legend = drawn.map(
    (l) =>
      html`<li><span class="lt ${layerClass(l.layer)}">■</span> ${LAYER_NAME[l.layer] ?? l.layer}: top-1 ${percent(topShare(l, 1))}, top-3 ${percent(topShare(l, 3))}, top-10 ${percent(topShare(l, 10))}</li>`,
  );
  return html`<div class="card curve-card"><svg class="curve" viewBox="0 0 100 100" preserveAspectRatio="none" aria-hidden="true"><rect class="curve-frame" width="100" height="100"/>${grid}${lines}</svg><p class="muted small">Share of domains (0–100%, up) critically dependent on the top-k providers of a layer, k = 1 to 10 (across).</p><ul class="inline legend">${legend}</ul></div>`;
}

const cell = (n: number, share: number): Markup =>
  html`<td class="num">${n} <span class="muted">${percent(share)}</span></td>`;

function layerTable(study: Study): Markup {
  const layers = [...study.layers].sort((a, b) => layerRank(a.layer) - layerRank(b.layer));
  const rows = layers.map(
    (l) =>
      html`<tr><th scope="row"><span class="lt ${layerClass(l.layer)}">${LAYER_NAME[l.layer] ?? l.layer}</span></th>${cell(l.thirdParty, l.thirdPartyShare)}${cell(l.critical, l.criticalShare)}${cell(l.redundant, l.redundantShare)}<td class="num">${percent(topShare(l, 3))}</td><td class="num">${l.hhi}</td><td>${l.concentration
        .slice(0, 3)
        .map((c) => c.provider)
        .join(', ')}</td></tr>`,
  );
  return html`<div class="scroll"><table class="study"><thead><tr><th>Layer</th><th class="num">Third party</th><th class="num">Critically dependent</th><th class="num">Redundant</th><th class="num">Top-3 (union)</th><th class="num">HHI</th><th>Top providers</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function amplificationTable(study: Study): Markup {
  const amplified = study.amplification.filter((a) => a.indirect > 0);
  if (amplified.length === 0)
    return html`<p class="muted">No provider's impact grows through another provider: each provider's provider found is an alternative, or already a direct single point (with --depth 0 none is looked for).</p>`;
  const rows = amplified
    .slice(0, MAX_ROWS)
    .map(
      (a) =>
        html`<tr><th scope="row" class="prov">${a.provider}</th><td class="num">${a.direct}</td><td class="num"><b>${a.total}</b></td><td class="num">${a.ratio === null ? 'only indirect' : `×${a.ratio.toFixed(2)}`}</td><td class="small">${a.paths.map((p) => `${p.path} (${p.domains})`).join(', ')}</td></tr>`,
    );
  return html`<div class="scroll"><table class="study"><thead><tr><th>Provider</th><th class="num">Direct</th><th class="num">Direct + indirect</th><th class="num">Ratio</th><th>Through</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function edgesTable(study: Study): Markup {
  if (study.providerDependencies.length === 0) return html``;
  const edges = [...study.providerDependencies].sort((a, b) => b.domains - a.domains).slice(0, MAX_ROWS);
  const rows = edges.map(
    (e) =>
      html`<tr><th scope="row" class="prov">${e.layer}: ${e.provider}</th><td>${e.dependsOn.layer}: ${e.dependsOn.provider}</td><td class="num">${e.domains}</td><td class="num">${e.critical}</td></tr>`,
  );
  return html`<h3>Provider-to-provider dependencies</h3><div class="scroll"><table class="study"><thead><tr><th>Provider</th><th>Depends on</th><th class="num">Domains</th><th class="num">With no alternative</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function caNote(study: Study): Markup {
  const ca = study.layers.find((l) => l.layer === 'ca');
  const parts: string[] = [];
  if (ca?.stapled)
    parts.push(`${ca.stapled} domains staple OCSP: they do not depend critically on their CA.`);
  if (ca?.crlOnly)
    parts.push(
      `${ca.crlOnly} domains have a certificate that names CRLs and no OCSP responder (as Let's Encrypt's have since 2025): their CA's revocation service is its CRL host.`,
    );
  return parts.length ? html`<p class="muted small">${parts.join(' ')}</p>` : html``;
}

export function studySection(study: Study | undefined): Markup {
  if (!study) return html``;
  return html`<section id="study"><h2>Third-party dependency (IMC 2020)</h2>
<p class="lede">Of ${study.domains} domains that resolved. Third party: uses a provider other than its own at the layer. Critically dependent: one third-party provider's outage alone takes the layer. Redundant: uses a third party, but no single one can take the layer. Definitions of Kashaf, Sekar and Agarwal, IMC 2020.</p>
${curve(study.layers)}${layerTable(study)}${caNote(study)}<h3>Amplification through providers' providers</h3>${amplificationTable(study)}${edgesTable(study)}</section>`;
}
