// The bench DNS responder, run as a child process (fork) so that it never shares an event loop
// with the client it measures. UDP and TCP on one 127.0.0.1 port; answers come from model.ts.
// It lives exactly as long as its parent's IPC channel.
import { listenBoth } from '../../test/helpers/dns-server.js';
import { type ChildRequest, serveRequests } from './ipc.js';
import { networkArg, throughNetwork } from './lossy-responder.js';
import { resolve } from './model.js';
import { PacketRecorder } from './recording.js';
import { encodeReply, parseQuery, statusReply } from './wire.js';

const counters = { udp: 0, tcp: 0, bad: 0 };
/** While set, every query received is written down for the replay ceiling. */
let recorder: PacketRecorder | null = null;

function answer(msg: Buffer, udp: boolean): Buffer | null {
  const q = parseQuery(msg);
  if (!q) {
    counters.bad++;
    return null;
  }
  recorder?.add(msg);
  if (udp) counters.udp++;
  else counters.tcp++;
  return q.type ? encodeReply(msg, q, resolve(q.name, q.type), udp) : statusReply(msg, q, 0);
}

const { udp, tcp, port } = await listenBoth();
// With a network spec (--lossy), UDP answers are delayed, lost or rate-limited as on the internet.
const spec = networkArg(process.argv[2]);
const network = spec ? throughNetwork(spec, (msg) => answer(msg, true)) : null;
udp.on('message', (msg, rinfo) => {
  if (network) return network.handle(msg, (out) => udp.send(out, rinfo.port, rinfo.address));
  const out = answer(msg, true);
  if (out) udp.send(out, rinfo.port, rinfo.address);
});
tcp.on('connection', (socket) => {
  socket.setNoDelay(true);
  socket.on('error', () => {});
  let buf: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
      buf = buf.subarray(2 + msg.length);
      const out = answer(msg, false);
      if (!out) return void socket.destroy();
      const framed = Buffer.allocUnsafe(out.length + 2);
      framed.writeUInt16BE(out.length, 0);
      out.copy(framed, 2);
      socket.write(framed);
    }
  });
});

serveRequests({ port }, (req: ChildRequest) => {
  if (req.op === 'reset') {
    counters.udp = counters.tcp = counters.bad = 0;
    if (network) network.counters.lost = network.counters.refused = network.counters.rateDropped = 0;
  } else if (req.op === 'record' && req.path) {
    recorder?.close();
    recorder = new PacketRecorder(req.path);
  } else if (req.op === 'unrecord') {
    const recorded = recorder?.count ?? 0;
    recorder?.close();
    recorder = null;
    return { ...counters, ...network?.counters, queries: counters.udp + counters.tcp, recorded };
  }
  return { ...counters, ...network?.counters, queries: counters.udp + counters.tcp };
});
