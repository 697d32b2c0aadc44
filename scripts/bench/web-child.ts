// The bench web server, run as a child process: HTTPS (certificate chosen by SNI) and plain HTTP
// on 127.0.0.1, answering every request with the CDN headers model.ts gives its Host, then closing.
// Raw sockets rather than node:http keep the server cheap, so the client is what is measured.
//
// startWebLab makes one certificate per host, which cannot scale to 100k hosts; here a
// certificate covers a bucket of zones (SANs z<j>.bench and *.z<j>.bench), all made at start.
import { once } from 'node:events';
import { type AddressInfo, createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createSecureContext, createServer as createTlsServer, type SecureContext } from 'node:tls';
import { labRoot, leafCert } from '../../test/helpers/certs.js';
import { serveRequests } from './ipc.js';
import { headersFor } from './model.js';

const zones = Number(process.argv[2] ?? 1000);
/** At most ~256 certificates, at least 32 zones (64 SANs) per certificate. */
const perCert = Math.max(32, Math.ceil(zones / 256));
const counters = { handshakes: 0, requests: 0, http: 0, tlsErrors: 0 };

async function bucketContexts(): Promise<SecureContext[]> {
  const buckets = Math.ceil(zones / perCert);
  const made: Promise<SecureContext>[] = [];
  for (let b = 0; b < buckets; b++) {
    const hosts: string[] = [];
    for (let j = b * perCert; j < Math.min(zones, (b + 1) * perCert); j++)
      hosts.push(`z${j}.bench`, `*.z${j}.bench`);
    made.push(leafCert({ hosts }).then(({ cert, key }) => createSecureContext({ cert, key })));
  }
  return Promise.all(made);
}

function respond(socket: Socket): void {
  let head = '';
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    head += chunk.toString('latin1');
    if (head.length > 16384) return void socket.destroy();
    if (!head.includes('\r\n\r\n')) return;
    socket.removeAllListeners('data');
    counters.requests++;
    const host = /\r\nhost:[ \t]*([^\r\n:]*)/i.exec(head)?.[1]?.toLowerCase() ?? '';
    const extra = headersFor(host)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    socket.end(
      `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 0\r\nconnection: close\r\n${extra}\r\n`,
    );
  });
}

async function listen(server: Server): Promise<number> {
  server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 });
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

const root = await labRoot();
const contexts = await bucketContexts();
const fallback = await leafCert({ hosts: ['default.bench.invalid'] });
const bucketOf = (servername: string): SecureContext | undefined => {
  const m = /(?:^|\.)z(\d{1,9})\.bench$/.exec(servername.toLowerCase());
  return m ? contexts[Math.floor(Number(m[1]) / perCert)] : undefined;
};

const tls = createTlsServer(
  {
    cert: fallback.cert,
    key: fallback.key,
    ALPNProtocols: ['http/1.1'],
    SNICallback: (servername, cb) => cb(null, bucketOf(servername)),
  },
  (socket) => {
    counters.handshakes++;
    respond(socket);
  },
);
tls.on('tlsClientError', (_err, socket) => {
  counters.tlsErrors++;
  socket.destroy();
});
const http = createNetServer((socket) => {
  counters.http++;
  respond(socket);
});

const [httpsPort, httpPort] = await Promise.all([listen(tls), listen(http)]);
serveRequests({ httpsPort, httpPort, caPem: root.certPem, perCert }, (req) => {
  if (req.op === 'reset') for (const k of Object.keys(counters)) counters[k as keyof typeof counters] = 0;
  return { ...counters };
});
