import { describe, expect, it } from 'vitest';
import { domainRisks } from '../src/analyse/domain.js';
import { failure, layerImpact, lostLayers } from '../src/analyse/layer-loss.js';
import { mailFindings } from '../src/analyse/mail-checks.js';
import { loadCatalogue } from '../src/catalogue/load.js';
import { classify } from '../src/classify/index.js';
import type { Dependency, SpfInclude, SpfObservation } from '../src/types.js';
import { host, observation } from './helpers/observation.js';

// E-mail both ways (issue 17): MX receives, the SPF policy says who may send, DMARC says where
// reports go. Outbound senders are their own position of the email layer, never an alternative
// to an MX host, and a single path there is said as such (args.direction).

const catalogue = loadCatalogue();
const parents: Record<string, string> = {};
for (const [id, p] of catalogue.providers) if (p.parent) parents[id] = p.parent;

const inc = (
  domain: string,
  from = 'example.com',
  mechanism: SpfInclude['mechanism'] = 'include',
): SpfInclude => ({
  domain,
  mechanism,
  from,
  status: 'NOERROR',
});
const spf = (includes: SpfInclude[], direct: string[] = []): SpfObservation => ({
  status: 'NOERROR',
  record: 'v=spf1 … -all',
  includes,
  direct,
  lookups: includes.length + direct.length,
});
const GOOGLE_MX = [host('aspmx.l.google.com'), host('alt1.aspmx.l.google.com')];

const mailDeps = (s: SpfObservation, mx = GOOGLE_MX): Dependency[] =>
  classify(observation({ domain: 'www.example.com', mx, spf: s }), catalogue).filter(
    (d) => d.layer === 'email',
  );
const outbound = (s: SpfObservation) =>
  mailDeps(s)
    .filter((d) => d.direction === 'outbound')
    .map((d) => (d.service ? `${d.provider}/${d.service}` : d.provider));

// One row per sender: the include: domain its documentation tells customers to publish.
const SENDERS: [include: string, want: string][] = [
  ['_spf.google.com', 'google/workspace'],
  ['spf.protection.outlook.com', 'microsoft/exchange-online'],
  ['sendgrid.net', 'sendgrid'],
  ['mailgun.org', 'mailgun'],
  ['amazonses.com', 'aws/ses'],
  ['servers.mcsv.net', 'mailchimp/marketing'],
  ['spf.mandrillapp.com', 'mailchimp/mandrill'],
  ['spf.mtasv.net', 'postmark'],
  ['sparkpostmail.com', 'sparkpost'],
  ['_spf.salesforce.com', 'salesforce/email'],
  ['aspmx.pardot.com', 'salesforce/pardot'],
  ['cust-spf.exacttarget.com', 'salesforce/marketing-cloud'],
  ['2253540.spf06.hubspotemail.net', 'hubspot/marketing-email'],
  ['mail.zendesk.com', 'zendesk/support'],
  ['_spf.atlassian.net', 'atlassian/cloud'],
  ['zoho.com', 'zoho'],
  ['zohomail.com', 'zoho'],
  ['_netblocks.mimecast.com', 'mimecast'],
  ['spf.messagingengine.com', 'fastmail'],
  ['_spf.protonmail.ch', 'protonmail'],
  ['spf.mailjet.com', 'mailjet'],
  ['spf.brevo.com', 'brevo'],
  ['spf.sendinblue.com', 'brevo'],
  ['mx.ovh.com', 'ovh'],
];

describe('outbound senders from the SPF policy', () => {
  it.each(SENDERS)('include:%s is %s', (domain, want) => {
    expect(outbound(spf([inc(domain)]))).toEqual([want]);
  });

  it('looks through the domain’s own includes, stops at a named sender, and names unknown ones by domain', () => {
    const got = outbound(
      spf([
        inc('_spf.example.com'),
        inc('_spf.google.com', '_spf.example.com'),
        inc('_netblocks.google.com', '_spf.google.com'),
        inc('spf.mailer.example.net'),
      ]),
    );
    expect(got).toEqual(['example.net', 'google/workspace']);
  });

  it('reads own addresses as self, a CIDR rule as its provider, and mx as the inbound providers', () => {
    const deps = mailDeps(spf([], ['ip4:192.0.2.0/24', 'mx']));
    expect(deps.map((d) => [d.provider, d.direction ?? 'inbound'])).toEqual([
      ['google', 'inbound'],
      ['google', 'outbound'],
      ['self', 'outbound'],
    ]);
    expect(deps.find((d) => d.provider === 'google' && d.direction)?.evidence).toEqual([
      { signal: 'spf', value: 'mx' },
    ]);
  });

  it('follows redirect= as the policy itself', () => {
    expect(outbound(spf([inc('mailgun.org', 'example.com', 'redirect')]))).toEqual(['mailgun']);
  });

  it('gives no sender when there is no usable policy', () => {
    const none: SpfObservation = {
      status: 'NOERROR',
      includes: [],
      direct: [],
      lookups: 0,
      error: 'multiple-policies',
    };
    expect(mailDeps(none).filter((d) => d.direction)).toEqual([]);
  });
});

describe('DMARC report receivers', () => {
  it.each([
    ['rua.agari.com', 'fortra'],
    ['vali.email', 'valimail'],
    ['ag.dmarcian.com', 'dmarcian'],
    ['rua.easydmarc.us', 'easydmarc'],
    ['inbox.ondmarc.com', 'redsift'],
    ['report.uriports.com', 'uriports'],
    ['dmarc-reports.cloudflare.net', 'cloudflare'],
    ['dmarc.postmarkapp.com', 'postmark'],
    ['rep.dmarcanalyzer.com', 'mimecast'],
    ['emaildefense.proofpoint.com', 'proofpoint'],
    ['example.com', 'self'],
    ['reports.example.org', 'example.org'],
  ])('rua mailto:…@%s is %s', (domain, want) => {
    const deps = classify(
      observation({
        domain: 'www.example.com',
        dmarc: { status: 'NOERROR', policy: 'reject', reports: [{ tag: 'rua', domain }] },
      }),
      catalogue,
    );
    expect(deps.map((d) => [d.layer, d.provider, d.direction])).toEqual([['email', want, 'reports']]);
  });
});

describe('inbound and outbound are separate positions', () => {
  const codes = (deps: Dependency[]) =>
    domainRisks(deps, { parents })
      .filter((f) => f.layer === 'email' || f.kind === 'shared-fate')
      .map((f) => `${f.severity} ${f.kind} ${f.provider ?? ''} ${f.args.direction ?? ''}`.trim());

  it('says which direction is single: Google receives, SendGrid alone sends', () => {
    const deps = mailDeps(spf([inc('sendgrid.net')]));
    expect(codes(deps)).toEqual([
      'medium single-provider google inbound',
      'medium single-provider sendgrid outbound',
    ]);
  });

  it('a sender is no alternative to an MX host; two senders are alternatives of each other', () => {
    const deps = mailDeps(spf([inc('_spf.google.com'), inc('sendgrid.net')]));
    expect(codes(deps)).toEqual(['medium single-provider google inbound', 'info redundant  outbound']);
    const mx2 = mailDeps(spf([inc('sendgrid.net')]), [host('aspmx.l.google.com'), host('mx1.example.org')]);
    expect(codes(mx2)).toEqual(['medium single-provider sendgrid outbound', 'info redundant  inbound']);
  });

  it('DMARC report receivers hold no position: no finding, and their outage loses no mail', () => {
    const deps = classify(
      observation({
        domain: 'www.example.com',
        mx: GOOGLE_MX,
        dmarc: { status: 'NOERROR', reports: [{ tag: 'rua', domain: 'rua.agari.com' }] },
      }),
      catalogue,
    );
    expect(codes(deps)).toEqual(['medium single-provider google inbound']);
    expect(lostLayers(deps, failure(['fortra']))).toEqual([]);
  });

  it('losing the only sender loses e-mail even when the MX survives, and the reverse', () => {
    const deps = mailDeps(spf([inc('sendgrid.net')]));
    expect(lostLayers(deps, failure(['sendgrid']))).toEqual(['email']);
    expect(lostLayers(deps, failure(['twilio'], { parents }))).toEqual(['email']);
    expect(lostLayers(deps, failure(['google']))).toEqual(['email']);
    const both = mailDeps(spf([inc('_spf.google.com'), inc('sendgrid.net')]));
    expect(layerImpact(both, 'email', failure(['sendgrid']))).toMatchObject({
      lost: false,
      alternatives: ['google'],
    });
  });

  it('one company receiving and sending is one layer, not shared fate', () => {
    const deps = [
      ...mailDeps(spf([inc('_spf.google.com')])),
      { layer: 'dns', provider: 'cloudflare', order: 0, evidence: [] } as Dependency,
    ];
    expect(codes(deps)).toEqual([
      'medium single-provider google inbound',
      'medium single-provider google outbound',
    ]);
  });
});

describe('spf-permerror: a policy receivers cannot use', () => {
  const kinds = (s: SpfObservation) =>
    mailFindings(observation({ domain: 'www.example.com', spf: s })).map(
      (f) => `${f.severity} ${f.kind} ${f.args.reason} ${f.args.domain ?? f.args.lookups}`,
    );

  it.each<[string, SpfObservation, string[]]>([
    ['within the limit', spf([inc('sendgrid.net')]), []],
    [
      'past 10 lookups',
      { ...spf([inc('sendgrid.net')]), lookups: 10, error: 'too-many-lookups' },
      ['medium spf-permerror too-many-lookups 10'],
    ],
    [
      'two records',
      { status: 'NOERROR', includes: [], direct: [], lookups: 0, error: 'multiple-policies' },
      ['medium spf-permerror multiple-policies example.com'],
    ],
    [
      'an include without a policy',
      spf([{ ...inc('_spf.gone.example.net'), status: 'NXDOMAIN' }]),
      ['medium spf-permerror no-policy _spf.gone.example.net'],
    ],
    ['no SPF at all', { status: 'NOERROR', includes: [], direct: [], lookups: 0, error: 'no-policy' }, []],
    [
      'an include that timed out (a temporary error)',
      spf([{ ...inc('sendgrid.net'), status: 'TIMEOUT' }]),
      [],
    ],
  ])('%s', (_about, s, want) => {
    expect(kinds(s)).toEqual(want);
  });
});
