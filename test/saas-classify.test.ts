import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../src/catalogue/load.js';
import { classify } from '../src/classify/index.js';
import { addr, observation } from './helpers/observation.js';

// SaaS behind a company's custom domains, as a new user meets them (issue 17): the vendor is the
// single path of that service and is named, with the cloud it runs on behind it.

const catalogue = loadCatalogue();
const AWS = addr('3.5.140.10', 16509, 'AMAZON-02');
const SENDGRID = addr('167.89.118.52', 11377, 'SENDGRID');

type Case = [about: string, domain: string, cname: string, headers: Record<string, string>, want: string[]];

const CASES: Case[] = [
  [
    'Intercom help centre',
    'help.example.com',
    'custom.intercom.help',
    {},
    ['cdn:intercom', 'cloud:aws<intercom'],
  ],
  ['Acquia site', 'www.example.com', 'example.prod.acquia-sites.com', {}, ['cdn:acquia', 'cloud:aws<acquia']],
  [
    'Acquia by header',
    'www.example.com',
    '',
    { 'x-ah-environment': 'prod' },
    ['cdn:acquia', 'cloud:aws<acquia'],
  ],
  [
    'Okta login page',
    'login.example.com',
    'example.customdomains.okta.com',
    {},
    ['cdn:okta', 'cloud:aws<okta'],
  ],
  [
    'Auth0 custom domain',
    'auth.example.com',
    'example-cd-a1b2.edge.tenants.auth0.com',
    {},
    ['cdn:auth0', 'cloud:aws<auth0'],
  ],
  ['SendGrid link tracking', 'url1234.example.com', 'sendgrid.net', {}, ['cdn:sendgrid']],
  ['Mailgun link tracking', 'email.example.com', 'eu.mailgun.org', {}, ['cdn:mailgun']],
  ['Platform.sh', 'www.example.com', 'main-abc.eu-3.platformsh.site', {}, ['cdn:platformsh']],
];

describe('SaaS on custom domains', () => {
  it.each(CASES)('%s', (_about, domain, cname, headers, want) => {
    const address = cname.endsWith('sendgrid.net') ? SENDGRID : AWS;
    const obs = observation({
      domain,
      cnames: cname ? [cname] : [],
      addresses: [address],
      headers: Object.keys(headers).length ? headers : undefined,
    });
    const got = classify(obs, catalogue)
      .filter((d) => d.layer === 'cdn' || d.layer === 'cloud')
      .map((d) => `${d.layer}:${d.provider}${d.via ? `<${d.via}` : ''}`);
    for (const w of want) expect(got, got.join(' ')).toContain(w);
    expect(
      got.some((g) => /^c\w+:as\d+$/.test(g)),
      'no bare network',
    ).toBe(false);
  });
});
