// A web-probe worker thread (threads.ts starts it): probes what the main thread sends, one
// message per probe, and answers with the result. The prober never rejects, so every request
// gets exactly one answer; options were validated by the main thread before it started us.
import { parentPort, workerData } from 'node:worker_threads';
import { createWebProber, type ProbeOptions, type WebProbeResult } from './index.js';

export interface ProbeRequest {
  id: number;
  domain: string;
  address: string | null;
  /** Say `{ taken: id }` before probing (quarantine: a death then blames only probes taken). */
  confirm?: boolean;
}

/** First `{ ready: true }` once the prober is built, then per request its answer (after `taken`). */
export type ThreadMessage = { ready: true } | { taken: number } | { id: number; result: WebProbeResult };

const port = parentPort;
if (port) {
  const probe = createWebProber((workerData as { options: ProbeOptions }).options);
  port.on('message', (req: ProbeRequest) => {
    if (req.confirm) {
      const taken: ThreadMessage = { taken: req.id };
      port.postMessage(taken);
    }
    void probe(req.domain, req.address).then((result) => {
      const answer: ThreadMessage = { id: req.id, result };
      port.postMessage(answer);
    });
  });
  const ready: ThreadMessage = { ready: true };
  port.postMessage(ready);
}
