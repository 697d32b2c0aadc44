import { type Markup, trustedCss } from './template.js';

// The whole stylesheet, inline: the page loads nothing (CSP default-src 'none').
const CSS = `
:root{--fg:#1c2330;--muted:#5d6778;--line:#dfe3ea;--bg:#f5f6f8;--card:#fff;--accent:#2f5d8a;--accent-soft:#e6edf5;
--critical:#a51d24;--high:#c2410c;--medium:#a16207;--low:#1d5fb8;--info:#5b6472;
--font:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans","DejaVu Sans",sans-serif;
--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 var(--font)}
.wrap{max-width:1240px;margin:0 auto;padding:24px clamp(12px,3vw,32px) 48px}
header.top{display:flex;flex-wrap:wrap;align-items:flex-end;justify-content:space-between;gap:8px 24px;border-bottom:2px solid var(--fg);padding-bottom:12px;margin-bottom:20px}
header.top h1{margin:0;font-size:24px;letter-spacing:-.01em}
header.top h1 span{font-weight:400;color:var(--muted)}
.meta{color:var(--muted);font-size:13px}
.meta b{color:var(--fg);font-weight:600}
nav.toc{font-size:13px;display:flex;flex-wrap:wrap;gap:4px 16px}
nav.toc a{color:var(--accent);text-decoration:none}
nav.toc a:hover{text-decoration:underline}
h2{font-size:18px;margin:32px 0 4px;letter-spacing:-.005em}
h3{font-size:14px;margin:0}
h4{font-size:12px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:16px 0 6px}
.lede{color:var(--muted);margin:0 0 12px;max-width:80ch}
.muted{color:var(--muted)}
.small{font-size:12px}
.matrix .via{font-size:10px;color:var(--muted)}
code{font:12px/1.4 var(--mono);overflow-wrap:anywhere}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(120px,1fr));gap:10px}
.figure{background:var(--card);border:1px solid var(--line);border-top:3px solid var(--accent);border-radius:6px;padding:10px 12px}
.figure .n{display:block;font-size:26px;font-weight:650;line-height:1.1;font-variant-numeric:tabular-nums}
.figure .l{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.05em}
.figure.sev-critical{border-top-color:var(--critical)}.figure.sev-critical .n{color:var(--critical)}
.figure.sev-high{border-top-color:var(--high)}.figure.sev-high .n{color:var(--high)}
.figure.sev-medium{border-top-color:var(--medium)}.figure.sev-medium .n{color:var(--medium)}
.figure.sev-low{border-top-color:var(--low)}.figure.sev-low .n{color:var(--low)}
.figure.sev-info{border-top-color:var(--info)}.figure.sev-info .n{color:var(--info)}
.figure.failed{border-top-color:var(--fg)}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:14px 16px}
.layers{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:12px;align-items:start}
.layer-head{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:baseline;gap:4px 12px;margin-bottom:8px}
.layer-head .muted{font-size:12px}
.hhi{margin:4px 0 10px}
.hhi-line{display:flex;justify-content:space-between;font-size:12px;margin-bottom:3px}
.hhi-num{font-weight:650;font-variant-numeric:tabular-nums}
.hhi-band{font-weight:600}
.hhi-unconcentrated .hhi-band{color:#2f7a4b}.hhi-moderate .hhi-band{color:var(--medium)}.hhi-high .hhi-band{color:var(--critical)}
svg.gauge{display:block;width:100%;height:8px;border-radius:2px}
.zone-low{fill:#d5eadb}.zone-mid{fill:#f4e3b5}.zone-high{fill:#f2cfcf}.gauge-mark{fill:var(--fg)}
ol.shares{list-style:none;margin:0;padding:0}
.share-row{display:grid;grid-template-columns:minmax(90px,34%) 1fr 92px;align-items:center;gap:8px;padding:2px 0}
.share-name{overflow:hidden;text-overflow:ellipsis;white-space:nowrap;font-size:13px}
svg.bar{display:block;width:100%;height:12px}
.bar-track{fill:#eceff3}.bar-fill{fill:var(--accent)}
.share-val{font-size:12px;text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.scroll{overflow-x:auto;background:var(--card);border:1px solid var(--line);border-radius:6px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
thead th{font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);font-weight:600;background:#fafbfc;white-space:nowrap}
tbody tr:last-child>*{border-bottom:0}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
th.prov{font-weight:600;overflow-wrap:anywhere}
td.bar-cell{min-width:120px;vertical-align:middle}
ul.inline{display:inline;margin:0;padding:0;list-style:none}
ul.inline li{display:inline}
ul.inline li:not(:last-child)::after{content:", "}
ul.degraded{color:var(--muted)}
details.more{display:inline}
details.more summary{display:inline;cursor:pointer;color:var(--accent);font-size:12px;margin-left:4px}
table.matrix{width:100%;table-layout:fixed}
table.matrix th.corner{width:15em}
table.matrix th[scope=row]{font-weight:500;position:sticky;left:0;background:var(--card);z-index:1;overflow-wrap:anywhere}
table.matrix th[scope=row] a{color:var(--fg);text-decoration:none}
table.matrix th[scope=row] a:hover{text-decoration:underline}
table.matrix td{text-align:center;border-left:1px solid var(--line);padding:3px 1px;overflow:hidden;overflow-wrap:anywhere;font-size:11px}
table.matrix tbody tr:hover>*{background:#f7f9fc}
th.prov-col{vertical-align:bottom;text-align:center;padding:6px 0;overflow:hidden;text-transform:none;letter-spacing:0;font-size:12px;color:var(--fg)}
th.prov-col span{writing-mode:vertical-rl;transform:rotate(180deg);display:inline-block;max-height:170px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
th.corner{vertical-align:bottom}
.lt{display:inline-block;min-width:16px;padding:0 2px;margin:1px;border:1px solid currentColor;border-radius:3px;font:600 11px/16px var(--font);text-align:center;color:var(--accent)}
.lt sup{font-size:9px;line-height:0;margin-left:1px}
.lt.spof{background:var(--accent);color:#fff;border-color:var(--accent)}
.lt.alt{border-style:dashed}
.mark{margin-left:1px;font-weight:400}
.curve-card{margin-bottom:12px}svg.curve{display:block;width:100%;max-width:640px;height:220px}
.curve-frame{fill:#fafbfc;stroke:#d0d7de;stroke-width:0.5}.curve-grid{fill:#e5e8ec}
.curve polyline{fill:none;stroke-width:2;vector-effect:non-scaling-stroke}
.curve-dns{stroke:#2f5d8a}.curve-cdn{stroke:#0f766e}.curve-cloud{stroke:#6d28d9}.curve-ca{stroke:#9a3412}.curve-email{stroke:#a0416d}
.lt-dns{color:#2f5d8a}.lt-cdn{color:#0f766e}.lt-cloud{color:#6d28d9}.lt-ca{color:#9a3412}.lt-email{color:#a0416d}
.lt-dns.spof{background:#2f5d8a;border-color:#2f5d8a}.lt-cdn.spof{background:#0f766e;border-color:#0f766e}
.lt-cloud.spof{background:#6d28d9;border-color:#6d28d9}.lt-ca.spof{background:#9a3412;border-color:#9a3412}
.lt-email.spof{background:#a0416d;border-color:#a0416d}
.lt.spof{color:#fff}
.dot{display:inline-block;width:8px;height:8px;border-radius:50%;vertical-align:middle;border:4px solid currentColor}
.dot.sev-critical{color:var(--critical)}.dot.sev-high{color:var(--high)}.dot.sev-medium{color:var(--medium)}.dot.sev-low{color:var(--low)}.dot.sev-info{color:var(--info)}
.tag{display:inline-block;font-size:11px;padding:0 6px;border-radius:3px;border:1px solid}
.tag.err{color:var(--critical);border-color:var(--critical)}
.sev{display:inline-block;font-size:11px;font-weight:600;padding:0 6px;border-radius:3px;border:1px solid currentColor;text-transform:uppercase;letter-spacing:.03em;line-height:17px}
.sev.sev-critical{color:#fff;background:var(--critical);border-color:var(--critical)}
.sev.sev-high{color:var(--high)}.sev.sev-medium{color:var(--medium)}.sev.sev-low{color:var(--low)}.sev.sev-info{color:var(--info)}
#domains>details.domain{background:var(--card);border:1px solid var(--line);border-radius:6px;margin:8px 0}
details.domain>summary{cursor:pointer;padding:10px 14px;display:flex;flex-wrap:wrap;align-items:center;gap:6px}
details.domain>summary::marker{color:var(--muted)}
details.domain[open]>summary{border-bottom:1px solid var(--line)}
.dname{font-weight:650;overflow-wrap:anywhere;margin-right:auto}
.dbody{padding:4px 14px 14px}
.dbody .scroll{border-radius:4px}
ul.evidence,ul.plain{list-style:none;margin:0;padding:0}
.sig{display:inline-block;font-size:11px;color:var(--muted);min-width:48px}
ul.findings{list-style:none;margin:0;padding:0}
.finding{border-left:3px solid var(--info);padding:6px 10px;margin:4px 0;background:#fafbfc}
.finding.sev-critical{border-left-color:var(--critical)}.finding.sev-high{border-left-color:var(--high)}
.finding.sev-medium{border-left-color:var(--medium)}.finding.sev-low{border-left-color:var(--low)}
.kind{font-family:var(--mono);font-size:12px}
.msg{margin-top:2px;overflow-wrap:anywhere}
.error{border-left:3px solid var(--critical);background:#fbefef;padding:8px 10px;margin:10px 0;overflow-wrap:anywhere}
details.obs-wrap{margin-top:14px}
details.obs-wrap>summary{cursor:pointer;font-size:12px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);font-weight:700}
.obs{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:8px 20px}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0;font-size:13px}
dl.kv dt{color:var(--muted)}
dl.kv dd{margin:0;min-width:0;overflow-wrap:anywhere}
.fp{font-size:11px}
td.path{white-space:nowrap;font-size:12px}
section{break-inside:auto}
footer{margin-top:40px;color:var(--muted);font-size:12px;border-top:1px solid var(--line);padding-top:10px}
@media (max-width:640px){.layers{grid-template-columns:1fr}.share-row{grid-template-columns:minmax(80px,38%) 1fr 80px}}
@media print{
@page{margin:14mm}
body{background:#fff;font-size:11px}
.wrap{max-width:none;padding:0}
nav.toc{display:none}
section{break-before:auto}
details.obs-wrap{display:none}
.dbody h4,.dbody .scroll:not(:has(table.servers)),.advice{display:none}
ul.findings{columns:2;column-gap:12px;margin:0}
.finding{margin:1px 0;padding:1px 4px}
table.matrix{font-size:9px}
table.matrix th.corner{width:11em}
.dbody{padding:2px 8px 6px}
details.domain>summary{padding:4px 8px}
.card,.scroll,.figure,#domains>details.domain{border-color:#bbb;background:#fff}
.card,.figure,.share-row,tr,.finding,dl.kv{break-inside:avoid}
thead{display:table-header-group}
.scroll{overflow:visible}
table.matrix th[scope=row]{position:static}
details::details-content{content-visibility:visible;display:block}
details.more::details-content{display:inline}
details>summary{list-style:none}
details>summary::marker,details>summary::-webkit-details-marker{display:none;content:""}
details.more>summary{display:none}
details.domain{break-inside:auto;margin:2px 0}
.finding,.error,thead th{background:none}
.sev.sev-critical{color:var(--critical);background:none}
.lt.spof{color:#000;font-weight:800;border-width:2px}
a{color:inherit;text-decoration:none}
}
`;

export function stylesheet(): Markup {
  return trustedCss(CSS.trim());
}
