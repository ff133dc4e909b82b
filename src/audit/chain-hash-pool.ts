import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ChainTextRow } from './chain-hash';

interface Waiting {
  resolve: (bad: number) => void;
  reject: (err: Error) => void;
}

/**
 * Worker threads that recompute event hashes for verification (chain-hash.worker): a page is
 * cut into one slice per worker, hashed in parallel while the main thread reads the next page.
 * Started on first use, kept for the next verification, unref'd (they never keep the process
 * alive), ended by `close`.
 */
export class ChainHashPool {
  private workers: Worker[] = [];
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;
  private turn = 0;

  constructor(readonly size: number) {}

  /** The index in `rows` of the first row whose recomputed hash is not its stored one, or -1. */
  async firstAltered(clinicId: string, rows: ChainTextRow[]): Promise<number> {
    this.start();
    const n = Math.min(this.workers.length, Math.max(1, Math.ceil(rows.length / 256)));
    const per = Math.ceil(rows.length / n);
    const slices: Array<Promise<number>> = [];
    for (let k = 0; k < n; k++) {
      const from = k * per;
      const worker = this.workers[this.turn++ % this.workers.length];
      slices.push(this.post(worker, clinicId, rows.slice(from, from + per)).then((bad) => (bad < 0 ? -1 : from + bad)));
    }
    const found = (await Promise.all(slices)).filter((i) => i >= 0);
    return found.length ? Math.min(...found) : -1;
  }

  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    for (const w of this.waiting.values()) w.reject(new Error('verification worker pool closed'));
    this.waiting.clear();
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private post(worker: Worker, clinicId: string, rows: ChainTextRow[]): Promise<number> {
    const id = this.nextId++;
    const { text, nulls } = packRows(rows);
    return new Promise<number>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, clinicId, text, nulls }, [nulls.buffer as ArrayBuffer]);
    });
  }

  private start(): void {
    if (this.workers.length) return;
    for (let i = 0; i < this.size; i++) {
      const worker = spawn();
      worker.unref();
      worker.on('message', (m: { id: number; bad?: number; error?: string }) => {
        const w = this.waiting.get(m.id);
        if (!w) return;
        this.waiting.delete(m.id);
        if (m.error !== undefined) w.reject(new Error(`verification worker: ${m.error}`));
        else w.resolve(m.bad!);
      });
      worker.on('error', (err) => {
        // A dead worker fails what waits on it; the pool starts afresh on the next call.
        for (const w of this.waiting.values()) w.reject(err);
        this.waiting.clear();
        void this.close();
      });
      this.workers.push(worker);
    }
  }
}

/**
 * A slice of a page as one string and a byte per row: copying one flat string to a worker
 * costs a fraction of cloning thousands of small arrays of strings (which, with the garbage it
 * left, cost the main thread more than the hashing it handed off). Fields are joined with NUL,
 * which PostgreSQL text never holds; the byte says which of the nullable columns (actor_id,
 * entity_id, payload_digest) are null. unpackRows is the inverse.
 */
export function packRows(rows: ChainTextRow[]): { text: string; nulls: Uint8Array } {
  const nulls = new Uint8Array(rows.length);
  const parts = new Array<string>(rows.length * FIELDS);
  let k = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    nulls[i] = (r[4] === null ? 1 : 0) | (r[7] === null ? 2 : 0) | (r[11] === null ? 4 : 0);
    for (let f = 0; f < FIELDS; f++) parts[k++] = r[f] ?? '';
  }
  return { text: parts.join('\0'), nulls };
}

/** The rows packRows packed. */
export function unpackRows(text: string, nulls: Uint8Array): ChainTextRow[] {
  const fields = text.split('\0');
  const rows = new Array<ChainTextRow>(nulls.length);
  for (let i = 0, k = 0; i < nulls.length; i++, k += FIELDS) {
    const r = fields.slice(k, k + FIELDS) as (string | null)[];
    const n = nulls[i];
    if (n & 1) r[4] = null;
    if (n & 2) r[7] = null;
    if (n & 4) r[11] = null;
    rows[i] = r as ChainTextRow;
  }
  return rows;
}

/** Columns of a ChainTextRow. */
const FIELDS = 12;

/**
 * The worker beside this file: the compiled .js in a build, else (ts-node, jest) the .ts source
 * loaded through ts-node's transpile-only register.
 */
function spawn(): Worker {
  const js = path.join(__dirname, 'chain-hash.worker.js');
  if (existsSync(js)) return new Worker(js);
  const ts = path.join(__dirname, 'chain-hash.worker.ts');
  return new Worker(`require('ts-node').register({ transpileOnly: true }); require(${JSON.stringify(ts)});`, { eval: true });
}
