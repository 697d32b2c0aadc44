import { adviceFor } from '../../analyse/advice.js';
import type {
  CertName,
  Dependency,
  DomainResult,
  Finding,
  IndirectDependency,
  Observation,
  Severity,
} from '../../types.js';
import { SEVERITIES } from '../../types.js';
import { GRID_HEAD, serverGrid } from '../server-grid.js';
import {
  compareText,
  LAYER_LETTER,
  LAYER_NAME,
  layerClass,
  layerRank,
  severityClass,
  sortFindings,
} from './labels.js';
import { clip, html, type Markup, type Value } from './template.js';

// Header values and certificate fields can be long or hostile; they are escaped by `html` and
// clipped so one response cannot bloat the report.
const MAX_VALUE = 400;

function sortDeps(deps: readonly Dependency[]): Dependency[] {
  return [...deps].sort(
    (a, b) =>
      layerRank(a.layer) - layerRank(b.layer) ||
      compareText(a.layer, b.layer) ||
      compareText(a.direction, b.direction) ||
      (a.order ?? 0) - (b.order ?? 0) ||
      compareText(a.provider, b.provider) ||
      compareText(a.service, b.service) ||
      compareText(a.region, b.region),
  );
}

/** Series position and alternative mark, the same reading the matrix gives. */
function pathNote(d: Dependency, all: readonly Dependency[]): string {
  const inLayer = all.filter((x) => x.layer === d.layer && x.direction === d.direction);
  const orders = [...new Set(inLayer.map((x) => x.order ?? 0))].sort((a, b) => a - b);
  const order = d.order ?? 0;
  const notes: string[] = [];
  if (d.direction === 'outbound') notes.push('sends (SPF)');
  else if (d.direction === 'reports') notes.push('DMARC reports');
  else if (d.layer === 'email' && all.some((x) => x.layer === 'email' && x.direction))
    notes.push('receives (MX)');
  if (orders.length > 1) notes.push(`series ${orders.indexOf(order) + 1}/${orders.length}`);
  if (inLayer.some((x) => (x.order ?? 0) === order && x.provider !== d.provider)) notes.push('alternative');
  if (d.vantages?.length) notes.push(`seen at ${d.vantages.join(', ')}`);
  return notes.join(' · ');
}

function depRows(deps: readonly Dependency[]): Markup {
  return html`${sortDeps(deps).map((d) => {
    const letter = LAYER_LETTER[d.layer] ?? d.layer;
    const evidence = [...d.evidence].sort(
      (a, b) => compareText(a.signal, b.signal) || compareText(a.value, b.value),
    );
    const path = pathNote(d, deps);
    return html`<tr><td><span class="lt ${layerClass(d.layer)}" title="${LAYER_NAME[d.layer] ?? d.layer}">${letter}</span></td><td class="path">${path || html`<span class="muted">—</span>`}</td><th scope="row" class="prov">${d.provider}</th><td>${d.service ?? ''}</td><td>${d.region ?? ''}</td><td>${d.via ?? ''}</td><td><ul class="evidence">${evidence.map((e) => html`<li><span class="sig">${e.signal}</span> <code>${clip(e.value, MAX_VALUE)}</code></li>`)}</ul></td></tr>`;
  })}`;
}

/** Providers of the domain's providers: who answers DNS for the zone a provider's endpoint is in. */
function indirectTable(deps: readonly IndirectDependency[]): Markup {
  const rows = [...deps].sort(
    (a, b) => compareText(a.path.join(' '), b.path.join(' ')) || compareText(a.provider, b.provider),
  );
  return html`<div class="scroll"><table class="deps indirect"><thead><tr><th>Layer</th><th>Path</th><th>Provider</th><th>Alongside</th><th>Evidence</th></tr></thead><tbody>${rows.map(
    (d) =>
      html`<tr><td><span class="lt ${layerClass(d.layer)}" title="${LAYER_NAME[d.layer] ?? d.layer}">${LAYER_LETTER[d.layer] ?? d.layer}</span></td><td class="path">${clip(d.path.join(' → '), MAX_VALUE)}</td><th scope="row" class="prov">${d.provider}</th><td>${(d.alternatives ?? []).join(', ')}</td><td><ul class="evidence">${d.evidence.map((e) => html`<li><span class="sig">${e.signal}</span> <code>${clip(e.value, MAX_VALUE)}</code></li>`)}</ul></td></tr>`,
  )}</tbody></table></div>`;
}

function findingItem(f: Finding): Markup {
  const direction = typeof f.args.direction === 'string' ? f.args.direction : '';
  const scope = [f.layer ? (LAYER_NAME[f.layer] ?? f.layer) : '', direction, f.provider ?? '']
    .filter(Boolean)
    .join(' · ');
  return html`<li class="finding ${severityClass(f.severity)}"><span class="sev ${severityClass(f.severity)}">${f.severity}</span> <span class="kind">${f.kind}</span>${scope ? html` <span class="muted">${scope}</span>` : ''}${f.accepted ? html` <span class="tag">accepted</span>` : ''}<div class="msg">${clip(f.message, MAX_VALUE * 2)}</div>${f.accepted ? html`<div class="small muted">Accepted: ${clip(f.accepted.reason, MAX_VALUE)} (owner ${clip(f.accepted.owner, 100)}, until ${clip(f.accepted.expires, 20)})</div>` : ''}${f.kind === 'redundant' ? '' : html`<div class="advice small"><b>What removes it:</b> ${adviceFor(f)}</div>`}</li>`;
}

function row(label: string, value: Value): Markup {
  return html`<dt>${label}</dt><dd>${value === '' || value === undefined ? html`<span class="muted">—</span>` : value}</dd>`;
}

function certName(n: CertName | undefined): string {
  if (!n) return '';
  return [n.CN !== undefined ? `CN=${n.CN}` : '', n.O !== undefined ? `O=${n.O}` : '']
    .filter(Boolean)
    .join(', ');
}

function codeList(values: readonly string[]): Markup {
  return html`<ul class="plain">${values.map((v) => html`<li><code>${clip(v, MAX_VALUE)}</code></li>`)}</ul>`;
}

function observations(o: Observation | undefined): Markup {
  if (!o?.dns) return html`<p class="muted">No observation recorded.</p>`;
  const dns = o.dns;
  const addr = (a: { ip: string; asn?: number; asnOrg?: string }) =>
    `${a.ip}${a.asn !== undefined ? ` AS${a.asn}` : ''}${a.asnOrg ? ` ${a.asnOrg}` : ''}`;
  const dnsBlock = html`<dl class="kv">${row('status', dns.status)}${row('CNAME chain', dns.cnames.length ? dns.cnames.join(' → ') : '')}${row('addresses', dns.addresses.length ? codeList(dns.addresses.map(addr)) : '')}${row('zone apex', dns.zone.apex ?? '')}${row(`NS (${dns.ns.status})`, dns.ns.hosts.length ? codeList(dns.ns.hosts.map((h) => h.host).sort(compareText)) : '')}${row(`MX ${dns.mailDomain} (${dns.mx.status})`, dns.mx.hosts.length ? codeList([...dns.mx.hosts].sort((a, b) => a.priority - b.priority || compareText(a.host, b.host)).map((h) => `${h.priority} ${h.host}`)) : '')}${dns.vantages?.length ? row('vantages', codeList(dns.vantages.map((v) => `${v.vantage} (${v.status}, ECS ${v.ecs}${v.scope !== undefined ? ` /${v.scope}` : ''}): ${[...v.cnames, v.addresses.map(addr).join(', ')].filter(Boolean).join(' → ')}`))) : ''}</dl>`;
  const h = o.http;
  const httpBlock = h
    ? html`<dl class="kv">${row('status', `${h.status}${h.httpStatus !== undefined ? ` · HTTP ${h.httpStatus}` : ''} · ${h.scheme}`)}${row('connected to', h.connectedTo ?? '')}${row('redirects', h.redirects.length ? codeList(h.redirects.map((r) => `${r.status} ${r.location}`)) : '')}${row(
        'headers',
        Object.keys(h.headers).length
          ? html`<ul class="plain headers">${Object.keys(h.headers)
              .sort(compareText)
              .flatMap((name) =>
                (h.headers[name] ?? []).map(
                  (v) => html`<li><code><b>${clip(name, 80)}</b>: ${clip(v, MAX_VALUE)}</code></li>`,
                ),
              )}</ul>`
          : '',
      )}${h.error ? row('error', `${h.error.code}: ${h.error.message}`) : ''}</dl>`
    : html`<p class="muted">Not probed.</p>`;
  const t = o.tls;
  const tlsBlock = t
    ? html`<dl class="kv">${row('status', `${t.status}${t.protocol ? ` · ${t.protocol}` : ''}`)}${row('subject', clip(certName(t.subject), MAX_VALUE))}${row('issuer', clip(certName(t.issuer), MAX_VALUE))}${row('valid', t.validFrom || t.validTo ? `${t.validFrom ?? '?'} → ${t.validTo ?? '?'}` : '')}${row('SAN', t.san.length ? codeList([...t.san].sort(compareText)) : '')}${row('chain', t.authorized ? 'trusted' : `not trusted${t.authorizationError ? ` (${t.authorizationError})` : ''}`)}${row('SHA-256', t.fingerprint256 ? html`<code class="fp">${t.fingerprint256}</code>` : '')}${t.error ? row('error', `${t.error.code}: ${t.error.message}`) : ''}</dl>`
    : html`<p class="muted">Not probed.</p>`;
  return html`<div class="obs"><div><h4>DNS</h4>${dnsBlock}</div><div><h4>HTTP</h4>${httpBlock}</div><div><h4>TLS certificate</h4>${tlsBlock}</div></div>`;
}

function counts(findings: readonly Finding[]): Markup {
  const by = new Map<Severity, number>();
  for (const f of findings) by.set(f.severity, (by.get(f.severity) ?? 0) + 1);
  return html`${SEVERITIES.filter((s) => by.has(s)).map((s) => html`<span class="sev ${severityClass(s)}">${by.get(s)} ${s}</span>`)}`;
}

function serverTable(d: DomainResult): Markup | '' {
  const grid = serverGrid(d);
  if (!grid) return '';
  return html`<h4>Name servers of ${grid.zone} <span class="muted small">(delegated by ${grid.parent}, asked directly)</span></h4><div class="scroll"><table class="deps servers"><thead><tr>${GRID_HEAD.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>${grid.rows.map((row) => html`<tr>${row.map((c) => html`<td>${clip(c, 120)}</td>`)}</tr>`)}</tbody></table></div>`;
}

export function domainDetails(d: DomainResult, id: string): Markup {
  const findings = sortFindings(d.risks);
  const deps =
    d.dependencies.length > 0
      ? html`<div class="scroll"><table class="deps"><thead><tr><th>Layer</th><th>Path</th><th>Provider</th><th>Service</th><th>Region</th><th>Via</th><th>Evidence</th></tr></thead><tbody>${depRows(d.dependencies)}</tbody></table></div>`
      : html`<p class="muted">No dependency recorded.</p>`;
  return html`<details class="domain" id="${id}"><summary><span class="dname">${d.domain}</span> <span class="muted small">${d.dependencies.length} dependencies</span> ${counts(findings)}${d.error ? html` <span class="tag err">error</span>` : ''}</summary>
<div class="dbody">${d.error ? html`<p class="error"><b>${d.error.code}</b> ${clip(d.error.message, MAX_VALUE)}</p>` : ''}
<h4>Dependencies</h4>${deps}
${d.indirect?.length ? html`<h4>Indirect dependencies <span class="muted small">(a provider's provider)</span></h4>${indirectTable(d.indirect)}` : ''}<h4>Findings</h4>${findings.length > 0 ? html`<ul class="findings">${findings.map(findingItem)}</ul>` : html`<p class="muted">None.</p>`}${serverTable(d)}
<details class="obs-wrap"><summary>Observations</summary>${observations(d.observations)}</details></div></details>`;
}
