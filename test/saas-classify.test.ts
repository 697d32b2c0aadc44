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

// The SaaS and platforms most often behind companies' custom domains, one row per product: the
// CNAME target the vendor's own custom-domain guide gives (or the host it hands out), and the
// company that then serves the name (with the product as service where the catalogue has one).
const PRODUCTS: [product: string, cname: string, want: string][] = [
  ['Netlify', 'brave-curie-123abc.netlify.app', 'netlify'],
  ['Vercel', 'cname.vercel-dns.com', 'vercel'],
  ['Cloudflare Pages', 'my-site.pages.dev', 'cloudflare/pages'],
  ['GitHub Pages', 'example.github.io', 'github'],
  ['GitLab Pages', 'example.gitlab.io', 'gitlab'],
  ['Render', 'example.onrender.com', 'render'],
  ['Heroku', 'sushi-fjord-8uhw1hmj.herokudns.com', 'heroku'],
  ['Railway', 'example-production.up.railway.app', 'railway'],
  ['Surge', 'na-west1.surge.sh', 'surge'],
  ['Fly.io', 'example.fly.dev', 'fly'],
  ['AWS Amplify Hosting', 'main.d1a2b3c4d5e6f7.amplifyapp.com', 'aws/amplify'],
  ['Firebase Hosting', 'example.web.app', 'google/firebase-hosting'],
  ['Azure Static Web Apps', 'gentle-sea-0123.azurestaticapps.net', 'microsoft/static-web-apps'],
  ['DigitalOcean App Platform', 'example-app-abcde.ondigitalocean.app', 'digitalocean'],
  ['Atlassian Statuspage', 'abc123xyz.stspg-customer.com', 'atlassian'],
  ['Jira Service Management', 'example.atlassian.net', 'atlassian/cloud'],
  ['Intercom Help Center', 'custom.intercom.help', 'intercom'],
  ['Intercom Help Center (EU)', 'custom.eu.intercom.help', 'intercom'],
  ['Intercom Help Center (HTTPS quick setup)', 'us.intercomhelpcenter.com', 'intercom'],
  ['Zendesk', 'example.zendesk.com', 'zendesk/help-center'],
  ['Freshdesk', 'example.freshdesk.com', 'freshworks/freshdesk'],
  ['Freshservice', 'example.freshservice.com', 'freshworks/freshservice'],
  ['Help Scout Docs', 'example.helpscoutdocs.com', 'helpscout/docs'],
  ['ServiceNow', 'example.service-now.com', 'servicenow/instance'],
  ['UserVoice', 'example.uservoice.com', 'uservoice/feedback'],
  ['Canny', 'cname.canny.io', 'canny/feedback'],
  ['Discourse hosting', 'example.hosted-by-discourse.com', 'discourse/hosting'],
  ['Okta', 'example.customdomains.okta.com', 'okta'],
  ['Auth0', 'example-cd-a1b2.edge.tenants.auth0.com', 'auth0'],
  ['HubSpot CMS', '1234567.group7.sites.hscoretech.net', 'hubspot'],
  ['Marketo landing pages', 'app-ab12.mktoweb.com', 'adobe/marketo'],
  ['Pardot tracker domain', 'go.pardot.com', 'salesforce/pardot'],
  ['Salesforce Experience Cloud', 'www.example.com.00d5e000000abcd.live.siteforce.com', 'salesforce/sites'],
  ['Salesforce Commerce Cloud', 'example.demandware.net', 'salesforce/commerce-cloud'],
  ['Unbounce', 'unbouncepages.com', 'unbounce'],
  ['Instapage', 'secure.pageserve.co', 'instapage'],
  ['Leadpages', 'custom-proxy.leadpages.net', 'leadpages/landing-pages'],
  ['SendGrid link branding', 'sendgrid.net', 'sendgrid/link-tracking'],
  ['Mailgun tracking', 'mailgun.org', 'mailgun'],
  ['Postmark return path', 'pm.mtasv.net', 'postmark/return-path'],
  ['SparkPost tracking domain', 'spgo.io', 'sparkpost/link-tracking'],
  ['Shopify', 'shops.myshopify.com', 'shopify'],
  ['BigCommerce', 'shops.mybigcommerce.com', 'bigcommerce/storefront'],
  ['Webflow', 'proxy-ssl.webflow.com', 'webflow'],
  ['Framer', 'sites.framer.app', 'framer'],
  ['Wix', 'cdn1.wixdns.net', 'wix'],
  ['Squarespace', 'ext-cust.squarespace.com', 'squarespace'],
  ['Ghost(Pro)', 'example.ghost.io', 'ghost'],
  ['Substack', 'target.substack-custom-domains.com', 'substack'],
  ['WordPress.com', 'example.wordpress.com', 'automattic/wordpress-com'],
  ['WordPress VIP', 'example.wpvip.com', 'automattic/wordpress-vip'],
  ['Tumblr', 'domains.tumblr.com', 'automattic/tumblr'],
  ['Blogger', 'ghs.google.com', 'google'],
  ['Hashnode', 'hashnode.network', 'hashnode/blog'],
  ['Acquia', 'example.prod.acquia-sites.com', 'acquia'],
  ['Pantheon', 'live-example.pantheonsite.io', 'pantheon'],
  ['Platform.sh', 'main-abc.eu-3.platformsh.site', 'platformsh'],
  ['WP Engine', 'example.wpengine.com', 'wpengine'],
  ['Kinsta', 'example.kinsta.cloud', 'kinsta'],
  ['GitBook', 'hosting.gitbook.io', 'gitbook/docs'],
  ['ReadMe', 'example.readme.io', 'readme/docs'],
  ['Read the Docs', 'example.readthedocs.io', 'readthedocs'],
  ['imgix', 'example.imgix.net', 'imgix'],
  ['Cloudinary', 'example-res.cloudinary.com', 'cloudinary/media-delivery'],
];

describe('SaaS and platforms on custom domains: the vendor serves the name', () => {
  it('covers at least 60 products', () => {
    expect(new Set(PRODUCTS.map(([p]) => p)).size).toBeGreaterThanOrEqual(60);
  });

  it.each(PRODUCTS)('%s (CNAME %s) is %s', (_product, cname, want) => {
    const [provider, service] = want.split('/');
    const deps = classify(observation({ domain: 'www.example.com', cnames: [cname] }), catalogue);
    const outer = deps.find((d) => (d.layer === 'cdn' || d.layer === 'cloud') && !d.via);
    expect(outer?.provider).toBe(provider);
    if (service) expect(outer?.service).toBe(service);
  });

  it.each<[string, Record<string, string>, string]>([
    ['Cloudinary by its server header', { server: 'Cloudinary' }, 'cloudinary'],
    ['Discourse by its route header', { 'x-discourse-route': 'list/latest' }, 'discourse'],
  ])('%s', (_about, headers, want) => {
    const deps = classify(observation({ domain: 'media.example.com', headers }), catalogue);
    expect(deps.filter((d) => d.layer === 'cdn').map((d) => d.provider)).toEqual([want]);
  });

  // An apex cannot be a CNAME: the vendor's guide gives A records instead, and the address alone
  // must name the vendor (a CIDR rule is more specific than the network's ASN), the cloud behind it.
  it.each<[product: string, ip: string, asn: number, want: string[]]>([
    ['GitHub Pages', '185.199.108.153', 54113, ['cdn:github']],
    ['GitHub Pages (IPv6)', '2606:50c0:8000::153', 54113, ['cdn:github']],
    ['GitLab Pages', '35.185.44.232', 396982, ['cdn:gitlab', 'cloud:google<gitlab']],
    ['Shopify', '23.227.38.65', 13335, ['cdn:shopify']],
    ['Squarespace', '198.185.159.144', 53831, ['cdn:squarespace']],
    ['Squarespace', '198.49.23.145', 53831, ['cdn:squarespace']],
    ['Squarespace 5', '198.185.159.161', 53831, ['cdn:squarespace']],
    ['Vercel', '76.76.21.21', 16509, ['cdn:vercel']],
    ['Netlify', '75.2.60.5', 16509, ['cdn:netlify']],
    ['Pantheon', '23.185.0.2', 54113, ['cdn:pantheon']],
    ['Firebase Hosting', '199.36.158.100', 54113, ['cdn:google']],
  ])('%s by its apex address %s', (_product, ip, asn, want) => {
    const deps = classify(observation({ domain: 'example.com', addresses: [addr(ip, asn, 'X')] }), catalogue);
    const got = deps
      .filter((d) => d.layer === 'cdn' || d.layer === 'cloud')
      .map((d) => `${d.layer}:${d.provider}${d.via ? `<${d.via}` : ''}`);
    for (const w of want) expect(got, got.join(' ')).toContain(w);
  });

  it('a neighbour of an apex address is only its network', () => {
    const deps = classify(
      observation({
        domain: 'example.com',
        addresses: [addr('35.185.44.233', 396982, 'GOOGLE-CLOUD-PLATFORM')],
      }),
      catalogue,
    );
    expect(deps.filter((d) => d.layer === 'cdn').map((d) => d.provider)).toEqual([]);
    expect(deps.filter((d) => d.layer === 'cloud').map((d) => d.provider)).toEqual(['google']);
  });

  it('BigCommerce runs on Google Cloud: the store is down with either', () => {
    const deps = classify(
      observation({ domain: 'shop.example.com', cnames: ['shops.mybigcommerce.com'] }),
      catalogue,
    );
    expect(deps.map((d) => `${d.layer}:${d.provider}${d.via ? `<${d.via}` : ''}`)).toEqual([
      'cdn:bigcommerce',
      'cloud:google<bigcommerce',
    ]);
  });
});
