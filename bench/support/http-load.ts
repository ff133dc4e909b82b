/**
 * The benches' HTTP load generator (bench/replies.bench.ts, bench/triage.bench.ts), run in a
 * worker thread: the client's own work (signing is done before; sending, reading answers) then
 * takes the other core instead of queueing on the event loop of the app it measures. The first
 * `warmup` requests go untimed (one round per connection), then `total` requests (the list
 * cycled from `warmup` on) with `inFlight` at once over keep-alive connections; fails on any non-2xx.
 */
import { Worker } from 'node:worker_threads';

export interface Load {
  n: number;
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface HttpRequest {
  path: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

const LOAD_WORKER = `
const http = require('node:http');
const { parentPort, workerData: { port, reqs, total, inFlight, warmup } } = require('node:worker_threads');
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
(async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight });
  const send = (r) => new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request({ host: '127.0.0.1', port, path: r.path, method: r.method || 'GET', agent, headers: r.headers || {} }, (res) => {
      const ok = (res.statusCode ?? 500) < 300;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { if (!ok && text.length < 300) text += c; });
      res.on('end', () => (ok ? resolve(performance.now() - t0) : reject(new Error((r.method || 'GET') + ' ' + r.path + ': ' + res.statusCode + ' ' + text.slice(0, 300)))));
    });
    req.on('error', reject);
    req.end(r.body);
  });
  await Promise.all(Array.from({ length: warmup }, (_, i) => send(reqs[i % reqs.length])));
  parentPort.postMessage({ started: true });
  const times = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < total) {
      const i = next++;
      times.push(await send(reqs[(warmup + i) % reqs.length]));
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  parentPort.postMessage({ n: times.length, seconds, rps: times.length / seconds, p50: pct(times, 50), p95: pct(times, 95), p99: pct(times, 99) });
})().catch((err) => parentPort.postMessage({ error: String(err && err.message || err) }));
`;

/**
 * Sends the load to 127.0.0.1:`port`. `total` defaults to the requests after the warm-up (each
 * once); `onStart` runs when the timed part begins (after the warm-up).
 */
export async function httpLoad(opts: { port: number; requests: HttpRequest[]; inFlight: number; warmup?: number; total?: number; onStart?: () => void }): Promise<Load> {
  const warmup = opts.warmup ?? opts.inFlight;
  const total = opts.total ?? opts.requests.length - warmup;
  if (!opts.requests.length || total <= 0) throw new Error('httpLoad: no requests to time');
  const worker = new Worker(LOAD_WORKER, { eval: true, workerData: { port: opts.port, reqs: opts.requests, total, inFlight: opts.inFlight, warmup } });
  try {
    const r = await new Promise<Load & { error?: string }>((resolve, reject) => {
      worker.on('message', (m: Load & { error?: string; started?: boolean }) => (m.started ? opts.onStart?.() : resolve(m)));
      worker.once('error', reject);
    });
    if (r.error) throw new Error(r.error);
    return r;
  } finally {
    await worker.terminate();
  }
}
