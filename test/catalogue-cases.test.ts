import { describe, expect, it } from 'vitest';
import type { SignalMatch } from '../src/catalogue/catalogue.js';
import { loadCatalogue } from '../src/catalogue/load.js';

// Real-world observations against the built-in catalogue, one line each:
// [kind, input, provider (null = no decisive match), layer, service, region].
// Inputs: host names; "ip ASn" (or "ip") for addresses; "name: value" for headers; a Set-Cookie
// value for cookies; "O=...; CN=..." for certificate issuers.

type Kind = 'cname' | 'ns' | 'mx' | 'asn' | 'cidr' | 'header' | 'cookie' | 'issuer';
type Case = [Kind, string, string | null, string?, string?, string?];

const CASES: Case[] = [
  // --- name servers (layer dns)
  ['ns', 'ada.ns.cloudflare.com', 'cloudflare', 'dns', 'dns'],
  ['ns', 'ns-1283.awsdns-32.org', 'aws', 'dns', 'route53'],
  ['ns', 'ns-1877.awsdns-42.co.uk', 'aws', 'dns', 'route53'],
  ['ns', 'NS-205.AWSDNS-25.COM.', 'aws', 'dns', 'route53'],
  ['ns', 'ns1-01.azure-dns.com', 'microsoft', 'dns', 'azure-dns'],
  ['ns', 'ns4-01.azure-dns.info', 'microsoft', 'dns', 'azure-dns'],
  ['ns', 'ns-cloud-a1.googledomains.com', 'google', 'dns', 'cloud-dns'],
  ['ns', 'dns1.p01.nsone.net', 'ns1', 'dns', 'managed-dns'],
  ['ns', 'ns1.p22.dynect.net', 'oracle', 'dns', 'dyn'],
  ['ns', 'pdns1.ultradns.net', 'ultradns', 'dns', 'ultradns'],
  ['ns', 'pdns196.ultradns.co.uk', 'ultradns', 'dns', 'ultradns'],
  ['ns', 'a1-64.akam.net', 'akamai', 'dns', 'edge-dns'],
  ['ns', 'ns01.domaincontrol.com', 'godaddy', 'dns', 'dns'],
  ['ns', 'dns1.registrar-servers.com', 'namecheap', 'dns', 'basic-dns'],
  ['ns', 'ns1.dnsimple-edge.net', 'dnsimple', 'dns', 'dns'],
  ['ns', 'ns0.dnsmadeeasy.com', 'dnsmadeeasy', 'dns', 'dns'],
  ['ns', 'ns-123-a.gandi.net', 'gandi', 'dns', 'livedns'],
  ['ns', 'dns200.anycast.me', 'ovh', 'dns', 'dns'],
  ['ns', 'hydrogen.ns.hetzner.com', 'hetzner', 'dns', 'dns'],
  ['ns', 'ns1.first-ns.de', 'hetzner', 'dns', 'robot-dns'],
  ['ns', 'ns1.digitalocean.com', 'digitalocean', 'dns', 'dns'],
  ['ns', 'ns1.linode.com', 'linode', 'dns', 'dns'],
  ['ns', 'ns1.vercel-dns.com', 'vercel', 'dns', 'dns'],
  ['ns', 'ns10.wixdns.net', 'wix', 'dns', 'dns'],
  ['ns', 'nsa1.squarespacedns.com', 'squarespace', 'dns', 'dns'],
  ['ns', 'ns1.alidns.com', 'alibaba', 'dns', 'alibaba-cloud-dns'],
  ['ns', 'dns9.hichina.com', 'alibaba', 'dns', 'alibaba-cloud-dns'],
  ['ns', 'f1g1ns1.dnspod.net', 'tencent', 'dns', 'dnspod'],
  ['ns', 'ns1.cscdns.net', 'csc', 'dns', 'dns'],
  ['ns', 'ns1.markmonitor.com', 'markmonitor', 'dns', 'dns'],
  ['ns', 'ns11.constellix.com', 'constellix', 'dns', 'dns'],
  ['ns', 'dns4.easydns.info', 'easydns', 'dns', 'dns'],
  ['ns', 'ns1.he.net', 'he', 'dns', 'dns-hosting'],
  ['ns', 'kiki.bunny.net', 'bunny', 'dns', 'bunny-dns'],
  ['ns', 'pns41.cloudns.net', 'cloudns', 'dns', 'dns'],
  ['ns', 'ns1.dns-parking.com', 'hostinger', 'dns', 'dns'],
  ['ns', 'ns1045.ui-dns.de', 'ionos', 'dns', 'dns'],
  ['ns', 'ns1.example.com', null],
  ['ns', 'ns.cloudflare.com.example.net', null],
  ['ns', 'ns-1.awsdns-1.com.example.org', null],

  ['ns', 'ns1.helhost.com', 'helhost', 'dns', 'dns'],
  ['ns', 'ns2.cloudhost.id', 'idcloudhost', 'dns', 'dns'],
  ['ns', 'ns1.kmkhosting.net', 'kmk', 'dns', 'dns'],
  ['ns', 'ns1.gslb3.sakura.ne.jp', 'sakura', 'dns', 'dns'],
  ['ns', 'ns1.c12.sgvps.net', 'siteground', 'dns', 'dns'],
  ['ns', 'ns2.tanglednetwork.com', 'tangled', 'dns', 'dns'],
  ['ns', 'ns1.nameserver.net.au', 'ventraip', 'dns', 'dns'],
  ['ns', 'ns2.hostingplatform.net.au', 'ventraip', 'dns', 'dns'],
  ['ns', 'ns21.dnshostcentral.com', 'webhostuk', 'dns', 'dns'],
  ['ns', 'ns1.yalinhost.com', 'yalinhost', 'dns', 'dns'],
  // --- CNAME chain (layer cdn for edges, cloud for hosting products)
  ['cname', 'd1a2b3c4e5f6g7.cloudfront.net', 'aws', 'cdn', 'cloudfront'],
  ['cname', 'a1234abcd.awsglobalaccelerator.com', 'aws', 'cdn', 'global-accelerator'],
  ['cname', 'api-prod-1234567890.us-east-1.elb.amazonaws.com', 'aws', 'cloud', 'elb', 'us-east-1'],
  ['cname', 'internal-app-1.us-gov-west-1.elb.amazonaws.com', 'aws', 'cloud', 'elb', 'us-gov-west-1'],
  ['cname', 'nlb-1-0123abcd.elb.eu-west-1.amazonaws.com', 'aws', 'cloud', 'elb', 'eu-west-1'],
  ['cname', 'my-bucket.s3-website-us-east-1.amazonaws.com', 'aws', 'cloud', 's3-website', 'us-east-1'],
  ['cname', 'my-bucket.s3-website.eu-central-1.amazonaws.com', 'aws', 'cloud', 's3-website', 'eu-central-1'],
  ['cname', 'my-bucket.s3.us-west-2.amazonaws.com', 'aws', 'cloud', 's3', 'us-west-2'],
  ['cname', 'my-bucket.s3.dualstack.ap-south-1.amazonaws.com', 'aws', 'cloud', 's3', 'ap-south-1'],
  ['cname', 'my-bucket.s3.amazonaws.com', 'aws', 'cloud', 's3'],
  [
    'cname',
    'abc123.execute-api.ap-southeast-2.amazonaws.com',
    'aws',
    'cloud',
    'api-gateway',
    'ap-southeast-2',
  ],
  ['cname', 'env.eba-abc.eu-west-1.elasticbeanstalk.com', 'aws', 'cloud', 'elastic-beanstalk', 'eu-west-1'],
  ['cname', 'ec2-3-1-2-3.eu-west-2.compute.amazonaws.com', 'aws', 'cloud', 'ec2', 'eu-west-2'],
  ['cname', 'abcdef.lambda-url.us-east-2.on.aws', 'aws', 'cloud', 'lambda', 'us-east-2'],
  ['cname', 'sqs.us-east-1.amazonaws.com', 'aws', 'cloud', undefined, 'us-east-1'],
  ['cname', 'tailspin.map.fastly.net', 'fastly', 'cdn'],
  ['cname', 'www.example.com.global.ssl.fastly.net', 'fastly', 'cdn'],
  ['cname', 'e1234.a.akamaiedge.net', 'akamai', 'cdn'],
  ['cname', 'www.example.com.edgekey.net', 'akamai', 'cdn'],
  ['cname', 'www.example.com.cdn.cloudflare.net', 'cloudflare', 'cdn', 'cdn'],
  ['cname', 'my-site.pages.dev', 'cloudflare', 'cdn', 'pages'],
  ['cname', 'woodgrove-prod-e7h3d8.z01.azurefd.net', 'microsoft', 'cdn', 'front-door'],
  ['cname', 'shed.dual-low.s-part-0001.t-0009.t-msedge.net', 'microsoft', 'cdn', 'front-door'],
  ['cname', 'contoso.azureedge.net', 'microsoft', 'cdn', 'azure-cdn'],
  ['cname', 'contoso.azurewebsites.net', 'microsoft', 'cloud', 'app-service'],
  ['cname', 'vm1.westeurope.cloudapp.azure.com', 'microsoft', 'cloud', 'virtual-machines', 'westeurope'],
  ['cname', 'ghs.googlehosted.com', 'google', 'cdn', 'google-frontend'],
  ['cname', 'my-project.uc.r.appspot.com', 'google', 'cloud', 'app-engine', 'uc'],
  ['cname', 'hello-abc123xyz-uc.a.run.app', 'google', 'cloud', 'cloud-run', 'uc'],
  ['cname', 'hello-123456789.us-central1.run.app', 'google', 'cloud', 'cloud-run', 'us-central1'],
  ['cname', 'europe-west1-proj.cloudfunctions.net', 'google', 'cloud', 'cloud-functions', 'europe-west1'],
  ['cname', 'my-app.web.app', 'google', 'cdn', 'firebase-hosting'],
  ['cname', 'cname.vercel-dns.com', 'vercel', 'cdn'],
  ['cname', 'brave-fox-123.netlify.app', 'netlify', 'cdn'],
  ['cname', 'apex-loadbalancer.netlify.com', 'netlify', 'cdn'],
  ['cname', 'x.incapdns.net', 'imperva', 'cdn', 'cloud-waf'],
  ['cname', 'cloudproxy10041.sucuri.net', 'sucuri', 'cdn', 'website-firewall'],
  ['cname', 'example.b-cdn.net', 'bunny', 'cdn'],
  ['cname', 'example-1a2b.kxcdn.com', 'keycdn', 'cdn'],
  ['cname', '1234567890.rsc.cdn77.org', 'cdn77', 'cdn'],
  ['cname', 'example.stackpathdns.com', 'stackpath', 'cdn'],
  ['cname', 'cds.x1y2z3.hwcdn.net', 'stackpath', 'cdn', 'highwinds'],
  ['cname', 'wpc.12345.edgecastcdn.net', 'edgio', 'cdn', 'edgecast'],
  ['cname', 'example.vo.llnwd.net', 'edgio', 'cdn', 'limelight'],
  ['cname', 'example.w.kunlunca.com', 'alibaba', 'cdn', 'alibaba-cdn'],
  ['cname', 'my-bucket.oss-cn-hangzhou.aliyuncs.com', 'alibaba', 'cloud', undefined, 'cn-hangzhou'],
  ['cname', 'www.example.com.cdn.dnsv1.com', 'tencent', 'cdn', 'tencent-cdn'],
  ['cname', 'www.example.com.eo.dnse2.com', 'tencent', 'cdn', 'edgeone'],
  ['cname', 'bucket-1250000000.cos.ap-guangzhou.myqcloud.com', 'tencent', 'cloud', 'cos', 'ap-guangzhou'],
  ['cname', 'my-app.fly.dev', 'fly', 'cdn'],
  ['cname', 'my-app.onrender.com', 'render', 'cdn'],
  ['cname', 'sushi-fjord-8uhw1hmj.herokudns.com', 'heroku', 'cdn'],
  ['cname', 'litware-labs.github.io', 'github', 'cdn', 'pages'],
  ['cname', 'shops.myshopify.com', 'shopify', 'cdn'],
  ['cname', 'ext-cust.squarespace.com', 'squarespace', 'cdn'],
  ['cname', 'www123.wixdns.net', 'wix', 'cdn'],
  ['cname', 'example.wpengine.com', 'wpengine', 'cdn'],
  ['cname', 'example.wpenginepowered.com', 'wpengine', 'cdn', 'advanced-network'],
  ['cname', 'cl-abc123.gcdn.co', 'gcore', 'cdn'],
  ['cname', 'example.cachefly.net', 'cachefly', 'cdn'],
  ['cname', 'example.mncdn.com', 'medianova', 'cdn'],
  ['cname', 'example.squixa.net', 'section', 'cdn'],
  ['cname', 'objectstorage.us-ashburn-1.oraclecloud.com', 'oracle', 'cloud', 'oci', 'us-ashburn-1'],
  ['cname', 'myapp.us-south.containers.appdomain.cloud', 'ibm', 'cloud', 'ibm-cloud', 'us-south'],
  ['cname', 'my-app-abcde.ondigitalocean.app', 'digitalocean', 'cloud', 'app-platform'],
  ['cname', 'bucket.nyc3.digitaloceanspaces.com', 'digitalocean', 'cloud', 'spaces', 'nyc3'],
  ['cname', 'bucket.nyc3.cdn.digitaloceanspaces.com', 'digitalocean', 'cdn', 'spaces-cdn', 'nyc3'],
  ['cname', 'bucket.us-east-1.linodeobjects.com', 'linode', 'cloud', 'object-storage', 'us-east-1'],
  ['cname', 'www123.your-server.de', 'hetzner', 'cloud', 'web-hosting'],
  ['cname', 'cluster028.hosting.ovh.net', 'ovh', 'cloud', 'web-hosting'],
  ['cname', 'ewr1.vultrobjects.com', 'vultr', 'cloud', 'object-storage', 'ewr1'],
  ['cname', 'bucket.s3.fr-par.scw.cloud', 'scaleway', 'cloud', undefined, 'fr-par'],
  ['cname', 'abcde.upcloudobjects.com', 'upcloud', 'cloud', 'object-storage'],
  ['cname', 'vmi123456.contaboserver.net', 'contabo', 'cloud', 'compute'],
  ['cname', 'notcloudfront.net', null],
  ['cname', 'd111.cloudfront.net.example.com', null],
  ['cname', 'evil-amazonaws.com', null],
  ['cname', 'github.io.example.org', null],
  ['cname', 'example.com', null],

  // --- MX hosts (layer email)
  ['mx', 'aspmx.l.google.com', 'google', 'email', 'workspace'],
  ['mx', 'alt1.aspmx.l.google.com.', 'google', 'email', 'workspace'],
  ['mx', 'aspmx2.googlemail.com', 'google', 'email', 'workspace'],
  ['mx', 'contoso-com.mail.protection.outlook.com', 'microsoft', 'email', 'exchange-online'],
  ['mx', 'contoso-com.l-v1.mx.microsoft', 'microsoft', 'email', 'exchange-online'],
  ['mx', 'mx0a-00123401.pphosted.com', 'proofpoint', 'email', 'email-protection'],
  ['mx', 'mx1-us1.ppe-hosted.com', 'proofpoint', 'email', 'essentials', 'us1'],
  ['mx', 'us-smtp-inbound-1.mimecast.com', 'mimecast', 'email', 'email-security', 'us'],
  ['mx', 'eu-smtp-inbound-2.mimecast.com', 'mimecast', 'email', 'email-security', 'eu'],
  ['mx', 'd123456a.ess.barracudanetworks.com', 'barracuda', 'email', 'email-protection'],
  ['mx', 'd123456a.ess.de.barracudanetworks.com', 'barracuda', 'email', 'email-protection', 'de'],
  ['mx', 'mx1.hc1234-56.iphmx.com', 'cisco', 'email', 'secure-email'],
  ['mx', 'mx.zoho.com', 'zoho', 'email', 'zoho-mail'],
  ['mx', 'mx2.zoho.eu', 'zoho', 'email', 'zoho-mail', 'eu'],
  ['mx', 'mx.zoho.com.au', 'zoho', 'email', 'zoho-mail', 'com.au'],
  ['mx', 'inbound-smtp.eu-west-1.amazonaws.com', 'aws', 'email', 'ses', 'eu-west-1'],
  ['mx', 'in1-smtp.messagingengine.com', 'fastmail', 'email', 'fastmail'],
  ['mx', 'mxa.eu.mailgun.org', 'mailgun', 'email', 'inbound-routing', 'eu'],
  ['mx', 'mxb.mailgun.org', 'mailgun', 'email', 'inbound-routing'],
  ['mx', 'mx.sendgrid.net', 'sendgrid', 'email', 'inbound-parse'],
  ['mx', 'mailsec.protonmail.ch', 'protonmail', 'email', 'proton-mail'],
  ['mx', 'mx.yandex.net', 'yandex', 'email', 'yandex-360-mail'],
  ['mx', 'mx1.mail.ovh.net', 'ovh', 'email', 'mx-plan'],
  ['mx', 'example-com.in.hes.trendmicro.com', 'trendmicro', 'email', 'email-security'],
  ['mx', 'mx-01-eu-west-1.prod.hydra.sophos.com', 'sophos', 'email', 'sophos-email', 'eu-west-1'],
  ['mx', 'route1.mx.cloudflare.net', 'cloudflare', 'email', 'email-routing'],
  ['mx', 'cluster1.eu.messagelabs.com', 'broadcom', 'email', 'messagelabs', 'eu'],
  ['mx', 'mx01.mail.icloud.com', 'apple', 'email', 'icloud-mail'],
  ['mx', 'mx1.privateemail.com', 'namecheap', 'email', 'private-email'],
  ['mx', 'mailstore1.secureserver.net', 'godaddy', 'email', 'workspace-email'],
  ['mx', 'mx1.emailsrvr.com', 'rackspace', 'email', 'rackspace-email'],
  ['mx', 'mail.example.com', null],
  ['mx', 'smtp.google.com.example.net', null],
  ['mx', 'inbound-smtp.example.amazonaws.com.evil.net', null],

  // --- addresses: a CIDR rule (most specific) beats the ASN
  ['asn', '203.0.113.7 AS13335', 'cloudflare', 'cdn'],
  ['asn', '203.0.113.7 AS209242', 'cloudflare', 'cdn'],
  ['cidr', '104.16.1.1', 'cloudflare', 'cdn'],
  ['cidr', '2606:4700::6810:1', 'cloudflare', 'cdn'],
  ['asn', '198.51.100.1 AS16509', 'aws', 'cloud'],
  ['asn', '198.51.100.1 AS14618', 'aws', 'cloud'],
  ['cidr', '13.32.1.1 AS16509', 'aws', 'cdn', 'cloudfront'],
  ['asn', '203.0.113.7 AS54113', 'fastly', 'cdn'],
  ['cidr', '151.101.1.195 AS54113', 'fastly', 'cdn'],
  ['asn', '203.0.113.9 AS20940', 'akamai', 'cdn'],
  ['asn', '203.0.113.9 AS32787', 'akamai', 'cdn', 'prolexic'],
  ['cidr', '13.107.246.10 AS8075', 'microsoft', 'cdn', 'front-door'],
  ['asn', '203.0.113.9 AS8075', 'microsoft', 'cloud'],
  ['asn', '203.0.113.9 AS15169', 'google', 'cdn', 'google-frontend'],
  ['asn', '34.120.1.1 AS396982', 'google', 'cloud'],
  ['cidr', '199.36.158.100 AS54113', 'google', 'cdn', 'firebase-hosting'],
  ['cidr', '76.76.21.21 AS16509', 'vercel', 'cdn'],
  ['cidr', '75.2.60.5 AS16509', 'netlify', 'cdn', 'load-balancer'],
  ['cidr', '45.60.1.1 AS19551', 'imperva', 'cdn', 'cloud-waf'],
  ['asn', '203.0.113.9 AS19551', 'imperva', 'cdn'],
  ['cidr', '192.124.249.10', 'sucuri', 'cdn', 'website-firewall'],
  ['asn', '203.0.113.9 AS30148', 'sucuri', 'cdn', 'website-firewall'],
  ['asn', '203.0.113.9 AS200325', 'bunny', 'cdn'],
  ['asn', '203.0.113.9 AS44239', 'keycdn', 'cdn'],
  ['asn', '203.0.113.9 AS60068', 'cdn77', 'cdn'],
  ['asn', '203.0.113.9 AS15133', 'edgio', 'cdn', 'edgecast'],
  ['asn', '203.0.113.9 AS22822', 'edgio', 'cdn', 'limelight'],
  ['asn', '203.0.113.9 AS24429', 'alibaba', 'cdn', 'alibaba-cdn'],
  ['asn', '203.0.113.9 AS45102', 'alibaba', 'cloud'],
  ['asn', '203.0.113.9 AS132203', 'tencent', 'cloud'],
  ['asn', '203.0.113.9 AS40509', 'fly', 'cdn'],
  ['asn', '203.0.113.9 AS397273', 'render', 'cdn'],
  ['cidr', '185.199.108.153 AS54113', 'github', 'cdn', 'pages'],
  ['asn', '203.0.113.9 AS36459', 'github', 'cdn'],
  ['cidr', '23.227.38.65 AS13335', 'shopify', 'cdn'],
  ['cidr', '35.185.44.232 AS396982', 'gitlab', 'cdn', 'pages'],
  ['cidr', '198.185.159.145 AS53831', 'squarespace', 'cdn', 'apex'],
  ['cidr', '198.49.23.160', 'squarespace', 'cdn', 'apex'],
  ['asn', '203.0.113.9 AS53831', 'squarespace', 'cdn'],
  ['asn', '203.0.113.9 AS58182', 'wix', 'cdn'],
  ['asn', '203.0.113.9 AS199524', 'gcore', 'cdn'],
  ['asn', '203.0.113.9 AS30081', 'cachefly', 'cdn'],
  ['asn', '203.0.113.9 AS21245', 'medianova', 'cdn'],
  ['asn', '203.0.113.9 AS31898', 'oracle', 'cloud', 'oci'],
  ['asn', '203.0.113.9 AS36351', 'ibm', 'cloud', 'ibm-cloud'],
  ['asn', '203.0.113.9 AS14061', 'digitalocean', 'cloud'],
  ['asn', '203.0.113.9 AS63949', 'linode', 'cloud'],
  ['asn', '203.0.113.9 AS24940', 'hetzner', 'cloud'],
  ['asn', '203.0.113.9 AS16276', 'ovh', 'cloud'],
  ['asn', '203.0.113.9 AS20473', 'vultr', 'cloud'],
  ['asn', '203.0.113.9 AS12876', 'scaleway', 'cloud'],
  ['asn', '203.0.113.9 AS202053', 'upcloud', 'cloud'],
  ['asn', '203.0.113.9 AS51167', 'contabo', 'cloud'],
  ['asn', '192.0.2.1 AS64501', null],
  ['cidr', '192.0.2.1', null],

  // --- response headers: a provider-specific header decides; a generic value never does
  ['header', 'cf-ray: 8f1d2c3b4a5e6f70-FRA', 'cloudflare', 'cdn'],
  ['header', 'server: cloudflare', 'cloudflare', 'cdn'],
  ['header', 'x-amz-cf-id: q1w2e3r4t5y6u7i8o9p0==', 'aws', 'cdn', 'cloudfront'],
  ['header', 'via: 1.1 4f2c8d2d8e1a.cloudfront.net (CloudFront)', 'aws', 'cdn', 'cloudfront'],
  ['header', 'x-cache: Hit from cloudfront', 'aws', 'cdn', 'cloudfront'],
  ['header', 'server: AmazonS3', 'aws', 'cloud', 's3'],
  ['header', 'server: awselb/2.0', 'aws', 'cloud', 'elb'],
  ['header', 'x-served-by: cache-fra-eddf8230045-FRA', 'fastly', 'cdn'],
  ['header', 'x-timer: S1700000000.123,VS0,VE0', 'fastly', 'cdn'],
  ['header', 'server: AkamaiGHost', 'akamai', 'cdn'],
  ['header', 'akamai-grn: 0.1a2b3c4d.1700000000.5e6f7a8b', 'akamai', 'cdn'],
  ['header', 'x-azure-ref: 20251118T120000Z-17c5f8d9b4bqwerty', 'microsoft', 'cdn', 'front-door'],
  ['header', 'via: 1.1 google', 'google', 'cdn', 'google-frontend'],
  ['header', 'server: Google Frontend', 'google', 'cloud'],
  ['header', 'x-vercel-id: fra1::iad1::abcde-1700000000000-0123456789ab', 'vercel', 'cdn'],
  ['header', 'x-nf-request-id: 01HABCDEF', 'netlify', 'cdn'],
  ['header', 'x-iinfo: 10-123456-0 0CNN RT(1700000000000 0)', 'imperva', 'cdn', 'cloud-waf'],
  ['header', 'x-cdn: Imperva', 'imperva', 'cdn', 'cloud-waf'],
  ['header', 'x-sucuri-id: 11005', 'sucuri', 'cdn', 'website-firewall'],
  ['header', 'server: BunnyCDN-DE1-1054', 'bunny', 'cdn'],
  ['header', 'server: keycdn-engine', 'keycdn', 'cdn'],
  ['header', 'x-77-nzt: AbCdEf', 'cdn77', 'cdn'],
  ['header', 'x-hw: 1700000000.dop001.ny2.t,1700000000.cds020.ny2.c', 'stackpath', 'cdn', 'highwinds'],
  ['header', 'server: ECS (nyb/1D2E)', 'edgio', 'cdn', 'edgecast'],
  ['header', 'eagleid: 2ff6a9a117000000000000000e', 'alibaba', 'cdn', 'alibaba-cdn'],
  ['header', 'x-oss-request-id: 5F0000000000000000000000', 'alibaba', 'cloud', 'oss'],
  ['header', 'x-nws-log-uuid: 1234567890', 'tencent', 'cdn', 'tencent-cdn'],
  ['header', 'x-cos-request-id: NjQ1', 'tencent', 'cloud', 'cos'],
  ['header', 'fly-request-id: 01HABC-ams', 'fly', 'cdn'],
  ['header', 'rndr-id: 1a2b3c4d-5e6f', 'render', 'cdn'],
  ['header', 'via: 1.1 vegur', 'heroku', 'cdn', 'router'],
  ['header', 'x-github-request-id: A1B2:3C4D:5E6F:7A8B:6560A1B2', 'github', 'cdn'],
  ['header', 'x-shopid: 12345678', 'shopify', 'cdn'],
  ['header', 'server: Squarespace', 'squarespace', 'cdn'],
  ['header', 'x-wix-request-id: 1700000000.1234567890', 'wix', 'cdn'],
  ['header', 'x-powered-by: WP Engine', 'wpengine', 'cdn'],
  ['header', 'x-cf1: 13844:fA.sea2:cf:cacheD.sea2-01', 'cachefly', 'cdn'],
  ['header', 'server: MNCDN', 'medianova', 'cdn'],
  ['header', 'section-io-id: 1a2b3c', 'section', 'cdn'],
  ['header', 'x-iplb-instance: 12345', 'ovh', 'cloud', 'load-balancer'],
  ['header', 'x-do-app-origin: 1a2b3c', 'digitalocean', 'cloud', 'app-platform'],
  ['header', 'server: nginx', null],
  ['header', 'server: nginx/1.24.0', null],
  ['header', 'server: Apache', null],
  ['header', 'via: 1.1 varnish', null],
  // Wappalyzer's long tail of hosting companies and platforms (issue 17), one row a rule
  ['header', 'server: Brimble', 'brimble', 'cdn'],
  ['header', 'x-brimble-id: 7f3a', 'brimble', 'cdn'],
  ['header', 'cg-server-tag: n2', 'cloudguard', 'cdn'],
  ['header', 'server: Deta', 'deta', 'cdn'],
  ['header', 'server: deno/gcp-asia-northeast1', 'deno', 'cdn'],
  ['header', 'server: DiamondCDN', 'diamondcdn', 'cdn'],
  ['header', 'x-powered-by: Elementor Cloud', 'elementor', 'cdn', 'elementor-cloud'],
  ['header', 'x-powered-by: Strattic', 'elementor', 'cdn', 'strattic'],
  ['header', 'server: fbs', 'fireblade', 'cdn'],
  ['header', 'server: GuardFlame', 'guardflame', 'cdn'],
  ['header', 'server: KelonCloud-Private-CDN', 'keloncloud', 'cdn'],
  ['header', 'server: KC-Private-CDN', 'keloncloud', 'cdn'],
  ['header', 'x-host: web3.mercurycloud.fr', 'mercurycloud', 'cdn'],
  ['header', 'x-powered-by: MercuryCloud CDN v1.2', 'mercurycloud', 'cdn'],
  ['header', 'x-nestify-cache: HIT', 'nestify', 'cdn'],
  ['header', 'x-powered-by: platformOS', 'platformos', 'cdn'],
  ['header', 'server: PythonAnywhere', 'pythonanywhere', 'cdn'],
  ['header', 'server: railway', 'railway', 'cdn'],
  ['header', 'server: railway-edge', 'railway', 'cdn'],
  ['header', 'x-zeabur-request-id: 01HX', 'zeabur', 'cdn'],
  ['header', 'x-lagoon: main>nginx', 'amazeeio', 'cdn', 'lagoon'],
  ['header', 'x-statuspage-version: 4f1c', 'atlassian', 'cdn', 'statuspage'],
  ['header', 'server: CFS 1124', 'cachefly', 'cdn'],
  ['header', 'wpe-backend: apache', 'wpengine', 'cdn'],
  ['header', 'x-pass-why: wp-admin', 'wpengine', 'cdn'],
  ['header', 'x-servername: web12.aruba.it', 'aruba', 'cloud'],
  ['header', 'bc-powered-by: bernet.cloud', 'bernet', 'cloud'],
  ['header', 'ch-powered-by: Chabokan (chabokan.net)', 'chabokan', 'cloud'],
  ['header', 'platform: GuideIT', 'guideit', 'cloud'],
  ['header', 'x-powered-by: Helhost', 'helhost', 'cloud'],
  ['header', 'x-powered-by: Hetzner', 'hetzner', 'cloud'],
  ['header', 'platform: motherhost', 'motherhost', 'cloud'],
  ['header', 'x-powered-by: ParminCloud', 'parmincloud', 'cloud'],
  ['header', 'x-rosti: 1', 'rosti', 'cloud'],
  ['header', 'x-powered-by: Seravo', 'seravo', 'cloud'],
  ['header', 'platform: Smilii', 'smilii', 'cloud'],
  ['header', 'x-starhost: 1', 'starhost', 'cloud'],
  ['header', 'cache-control: max-age=0, Starhost', 'starhost', 'cloud'],
  ['header', 'x-hosting-provider: Tangled Network', 'tangled', 'cloud'],
  ['header', 'x-powered-by: Niagahoster', 'hostinger', 'cloud', 'niagahoster'],
  ['header', 'host-header: c2hhcmVkLmJsdWVob3N0LmNvbQ==', 'newfold', 'cloud', 'bluehost'],
  ['header', 'host-header: 192fc2e7e50945beb8231a492d6a8024', 'siteground', 'cloud'],
  ['header', 'host-header: 6b7412fb82ca5edfd0917e3957f05d89', 'siteground', 'cloud'],
  ['header', 'x-hostname: a1b2c3.nxcli.net', 'liquidweb', 'cloud', 'nexcess'],
  ['header', 'server: Pagely', 'godaddy', 'cloud', 'pagely'],
  // ... and no wider than those rules: another host's fingerprint, a word inside another name
  ['header', 'host-header: a9130478a60e5f9135f765b23f26593b', null],
  ['header', 'server: CFS server', null],
  ['header', 'server: fbs-proxy', null],
  ['header', 'server: railway-proxy', null],
  ['header', 'x-hostname: nxcli.network', null],
  ['header', 'x-cache: HIT', null],
  ['header', 'x-served-by: web-01', null],
  ['header', 'server: Cowboy', null],

  // --- cookies (Set-Cookie names; a trailing * in the catalogue is a prefix)
  ['cookie', '__cf_bm=abc; path=/; HttpOnly', 'cloudflare', 'cdn', 'bot-management'],
  ['cookie', 'incap_ses_1234_567=xyz; path=/', 'imperva', 'cdn', 'cloud-waf'],
  ['cookie', 'visid_incap_567=abc', 'imperva', 'cdn', 'cloud-waf'],
  ['cookie', 'ak_bmsc=abc; Domain=.example.com', 'akamai', 'cdn', 'bot-manager'],
  ['cookie', 'AWSALB=abc; Expires=Fri, 01 Jan 2100 00:00:00 GMT', 'aws', 'cloud', 'elb'],
  ['cookie', 'AWSALBAPP-0=abc', 'aws', 'cloud', 'elb'],
  ['cookie', '_shopify_y=abc', 'shopify', 'cdn'],
  ['cookie', 'ARRAffinitySameSite=abc', 'microsoft', 'cloud', 'app-service'],
  ['cookie', 'sessionid=abc', null],
  ['cookie', 'incap=1', null],

  // --- certificate issuers (layer ca); O is anchored, CN only picks a brand under one O
  ['issuer', "O=Let's Encrypt; CN=R11", 'letsencrypt', 'ca'],
  ['issuer', 'O=IdenTrust; CN=TrustID Server CA A52', 'identrust', 'ca', 'identrust'],
  ['issuer', 'O=DigiCert Inc; CN=Thawte TLS RSA CA G1', 'digicert', 'ca', 'thawte'],
  ['issuer', "O=Let's Encrypt; CN=E6", 'letsencrypt', 'ca'],
  ['issuer', 'O=Google Trust Services; CN=WE1', 'google', 'ca', 'gts'],
  ['issuer', 'O=Google Trust Services LLC; CN=GTS CA 1C3', 'google', 'ca', 'gts'],
  ['issuer', 'O=DigiCert Inc; CN=DigiCert Global G2 TLS RSA SHA256 2020 CA1', 'digicert', 'ca', 'digicert'],
  ['issuer', 'O=DigiCert Inc; CN=GeoTrust TLS RSA CA G1', 'digicert', 'ca', 'geotrust'],
  ['issuer', 'O=DigiCert Inc; CN=Thawte TLS RSA CA G1', 'digicert', 'ca', 'thawte'],
  ['issuer', 'O=DigiCert Inc; CN=RapidSSL TLS RSA CA G1', 'digicert', 'ca', 'rapidssl'],
  [
    'issuer',
    'O=Sectigo Limited; CN=Sectigo RSA Domain Validation Secure Server CA',
    'sectigo',
    'ca',
    'sectigo',
  ],
  [
    'issuer',
    'O=COMODO CA Limited; CN=COMODO RSA Domain Validation Secure Server CA',
    'sectigo',
    'ca',
    'comodo',
  ],
  ['issuer', 'O=cPanel, Inc.; CN=cPanel, Inc. Certification Authority', 'sectigo', 'ca', 'cpanel'],
  [
    'issuer',
    'O=GlobalSign nv-sa; CN=GlobalSign Atlas R3 DV TLS CA 2024 Q2',
    'globalsign',
    'ca',
    'globalsign',
  ],
  ['issuer', 'O=GlobalSign nv-sa; CN=AlphaSSL CA - SHA256 - G4', 'globalsign', 'ca', 'alphassl'],
  ['issuer', 'O=Amazon; CN=Amazon RSA 2048 M02', 'aws', 'ca', 'acm'],
  [
    'issuer',
    'O=Microsoft Corporation; CN=Microsoft Azure RSA TLS Issuing CA 03',
    'microsoft',
    'ca',
    'azure-tls',
  ],
  ['issuer', 'O=Entrust, Inc.; CN=Entrust Certification Authority - L1K', 'entrust', 'ca', 'entrust'],
  [
    'issuer',
    'O=GoDaddy.com, Inc.; CN=Go Daddy Secure Certificate Authority - G2',
    'godaddy',
    'ca',
    'godaddy',
  ],
  [
    'issuer',
    'O=Starfield Technologies, Inc.; CN=Starfield Secure Certificate Authority - G2',
    'godaddy',
    'ca',
    'starfield',
  ],
  ['issuer', 'O=ZeroSSL; CN=ZeroSSL RSA Domain Secure Site CA', 'zerossl', 'ca'],
  ['issuer', 'O=SSL Corporation; CN=SSL.com RSA SSL subCA', 'sslcom', 'ca'],
  ['issuer', 'O=Buypass AS-983163327; CN=Buypass Class 2 CA 5', 'buypass', 'ca'],
  ['issuer', 'O=IdenTrust; CN=TrustID Server CA O1', 'identrust', 'ca', 'identrust'],
  ['issuer', 'O=Asseco Data Systems S.A.; CN=Certum DV TLS G2 R39 CA', 'certum', 'ca'],
  ['issuer', 'O=Unizeto Technologies S.A.; CN=Certum Domain Validation CA SHA2', 'certum', 'ca'],
  ['issuer', 'O=Actalis S.p.A.; CN=Actalis Organization Validated Server CA G3', 'actalis', 'ca'],
  ['issuer', 'O=Cloudflare, Inc.; CN=Cloudflare Inc ECC CA-3', 'cloudflare', 'ca', 'cloudflare-ca'],
  ['issuer', 'O=Certainly; CN=Certainly Intermediate R1', 'fastly', 'ca', 'certainly'],
  ['issuer', 'O=Example Corp; CN=Example Issuing CA', null],
  ['issuer', "O=Not Let's Encrypt; CN=R11", null],
  ['issuer', 'O=Amazon Web Services Fake; CN=Amazon RSA 2048 M02', null],
  ['issuer', 'CN=R11', null],
];

const catalogue = loadCatalogue();

function parseIssuer(input: string): { O?: string; CN?: string } {
  const out: { O?: string; CN?: string } = {};
  for (const part of input.split('; ')) {
    const [k, ...v] = part.split('=');
    if (k === 'O' || k === 'CN') out[k] = v.join('=');
  }
  return out;
}

function headerMatches(kind: Kind, input: string): SignalMatch[] {
  if (kind === 'cookie') return catalogue.matchHeaders({ 'set-cookie': [input] });
  const i = input.indexOf(': ');
  return catalogue.matchHeaders({ [input.slice(0, i)]: [input.slice(i + 2)] });
}

interface Outcome {
  provider: string | null;
  layer?: string;
  service?: string;
  region?: string;
  signal?: string;
}

function run(kind: Kind, input: string): Outcome {
  let m: Omit<SignalMatch, 'value'> | null = null;
  if (kind === 'cname' || kind === 'ns' || kind === 'mx') m = catalogue.matchHost(kind, input);
  else if (kind === 'asn' || kind === 'cidr') {
    const [ip, as] = input.split(' ');
    m = catalogue.matchAddress(ip!, as ? Number(as.slice(2)) : undefined);
  } else if (kind === 'issuer') m = catalogue.matchIssuer(parseIssuer(input));
  else {
    const strong = headerMatches(kind, input).filter((x) => !x.weak);
    // One observed header must not be claimed by two providers.
    expect(new Set(strong.map((x) => x.provider)).size).toBeLessThanOrEqual(1);
    m = strong[0] ?? null;
  }
  if (!m) return { provider: null };
  return { provider: m.provider, layer: m.layer, service: m.service, region: m.region, signal: m.signal };
}

describe('catalogue cases', () => {
  const named = CASES.map(
    (c) =>
      [
        `${c[0]} ${c[1]} → ${c
          .slice(2)
          .filter((v) => v !== undefined)
          .join(' ')}`,
        c,
      ] as const,
  );
  it.each(named)('%s', (_name, [kind, input, provider, layer, service, region]) => {
    const got = run(kind, input);
    if (provider === null) {
      expect(got).toEqual({ provider: null });
      return;
    }
    expect(got).toEqual({ provider, layer, service, region, signal: kind });
  });

  it('covers every provider id of the contract and every signal kind', () => {
    const contract = (
      'actalis akamai alibaba aws barracuda bunny buypass cachefly cdn77 certum cisco cloudflare ' +
      'constellix contabo csc digicert digitalocean dnsimple dnsmadeeasy easydns edgio entrust ' +
      'fastly fastmail fly gandi gcore github globalsign godaddy google he heroku hetzner ibm ' +
      'identrust imperva keycdn letsencrypt linode mailgun markmonitor medianova microsoft ' +
      'mimecast namecheap netlify ns1 oracle ovh proofpoint protonmail render scaleway section ' +
      'sectigo sendgrid shopify sophos squarespace sslcom stackpath sucuri tencent trendmicro ' +
      'ultradns upcloud vercel vultr wix wpengine yandex zerossl zoho'
    ).split(' ');
    const covered = new Set(CASES.map((c) => c[2]));
    expect(contract.filter((id) => !covered.has(id))).toEqual([]);
    const kinds = new Set(CASES.filter((c) => c[2] !== null).map((c) => c[0]));
    expect([...kinds].sort()).toEqual(['asn', 'cidr', 'cname', 'cookie', 'header', 'issuer', 'mx', 'ns']);
  });

  it('lets a generic header only add weight (weak), never decide', () => {
    for (const header of ['via: 1.1 varnish', 'server: Cowboy', 'server: Tengine/2.3.3']) {
      const all = headerMatches('header', header);
      expect(all.length, header).toBeGreaterThan(0);
      expect(
        all.every((m) => m.weak),
        header,
      ).toBe(true);
    }
    expect(headerMatches('header', 'server: nginx')).toEqual([]);
  });
});
