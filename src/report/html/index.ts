import type { DomainResult, Summary } from '../../types.js';
import { SEVERITIES } from '../../types.js';
import { batched } from '../chunks.js';
import type { ReportDocument, ResultList } from '../spill.js';
import { blastSection, concentrationSection } from './charts.js';
import { domainDetails } from './domain.js';
import { compareText, severityClass } from './labels.js';
import { matrixParts, matrixProviders, ownedBy } from './matrix.js';
import { studySection } from './study.js';
import { stylesheet } from './style.js';
import { html, type Markup, markupText, uniqueIds } from './template.js';

// One self-contained HTML5 file: inline CSS, inline SVG charts and no JavaScript at all, so an
// injected script cannot run even if escaping were missed; the CSP says the same to the browser.
export const HTML_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

function figures(summary: Summary): Markup {
  const fig = (n: number, label: string, cls: string) =>
    html`<div class="${['figure', cls].filter(Boolean).join(' ')}"><span class="n">${n}</span><span class="l">${label}</span></div>`;
  return html`<div class="figures">${fig(summary.domains, 'domains', '')}${fig(summary.failed, 'failed', 'failed')}${SEVERITIES.map((s) => fig(summary.findings[s] ?? 0, s, severityClass(s)))}</div>`;
}

function optionsList(options: Record<string, unknown>): Markup {
  const keys = Object.keys(options ?? {}).sort(compareText);
  if (keys.length === 0) return html``;
  const show = (v: unknown) => {
    try {
      return JSON.stringify(v) ?? String(v);
    } catch {
      return String(v);
    }
  };
  return html`<details class="more"><summary>run options</summary><ul class="inline">${keys.map((k) => html`<li><code>${k}=${show(options[k])}</code></li>`)}</ul></details>`;
}

/**
 * Renders an audit as one self-contained, script-free HTML page, in pieces (the matrix and the
 * domain details a row or a domain at a time). Pure: same document, same bytes.
 */
export function* htmlChunks(doc: ReportDocument): Generator<string> {
  // Results kept on disk come back sorted by name already (the order compareText gives).
  const domains: ResultList = Array.isArray(doc.domains)
    ? [...(doc.domains as DomainResult[])].sort((a, b) => compareText(a.domain, b.domain))
    : doc.domains;
  const ids = uniqueIds(
    'd',
    // A list kept on disk knows its names without reading every result back.
    domains.names?.() ?? Array.from(domains, (d) => d.domain),
  );
  const s = doc.summary;
  const findings = SEVERITIES.reduce((n, sev) => n + (s.findings[sev] ?? 0), 0);
  const providers = matrixProviders(domains);
  const providerCount = providers.filter((p) => p !== 'self').length;
  const title = `singlepath report — ${doc.generatedAt}`;
  const matrix = matrixParts(domains, ids, providers, ownedBy(doc.summary));
  const top = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${HTML_CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="singlepath ${doc.tool?.version ?? ''}">
<link rel="icon" href="data:,">
<title>${title}</title>
<style>${stylesheet()}</style>
</head>
<body>
<div class="wrap">
<section class="first" id="summary">
<header class="top"><div><h1>singlepath <span>single-point-of-failure report</span></h1>
<div class="meta">Generated <b><time>${doc.generatedAt}</time></b> · singlepath ${doc.tool?.version ?? ''} · <b>${s.domains}</b> domains · <b>${s.failed}</b> failed · <b>${findings}</b> findings · <b>${providerCount}</b> providers ${optionsList(doc.options)}</div></div>
<nav class="toc"><a href="#concentration">Concentration</a>${s.study ? html`<a href="#study">Study</a>` : ''}<a href="#blast">Blast radius</a><a href="#matrix">Matrix</a><a href="#domains">Domains</a></nav></header>
${figures(s)}${s.notes?.length ? html`<ul class="notes">${s.notes.map((n) => html`<li><b>Note</b> ${n.message}</li>`)}</ul>` : ''}
</section>
${concentrationSection(s)}
${studySection(s.study)}
${blastSection(s)}
`;
  function* pieces(): Generator<string> {
    yield markupText(top);
    for (const part of matrix) yield markupText(part);
    yield markupText(html`
<section id="domains"><h2>Domains</h2>
<p class="lede">Dependencies per layer with the evidence behind each, findings, and the raw observations.</p>
`);
    let i = 0;
    for (const d of domains) yield markupText(html`${domainDetails(d, ids[i++]!)}\n`);
    yield markupText(html`</section>
<footer>singlepath ${doc.tool?.version ?? ''} · schema ${doc.schema} · generated ${doc.generatedAt}</footer>
</div>
</body>
</html>
`);
  }
  yield* batched(pieces());
}

export function renderHtml(doc: ReportDocument): string {
  return [...htmlChunks(doc)].join('');
}
