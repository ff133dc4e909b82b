import { parentPort } from 'node:worker_threads';
import { textRowHash } from './chain-hash';
import { unpackRows } from './chain-hash-pool';

/**
 * A verification worker (ChainHashPool): recomputes the hash of each row of a slice of a
 * chain page from the row itself and its stored prev_hash, and answers with the index of the
 * first row whose stored hash differs (-1: none). The verifier checks on the main thread that
 * each stored prev_hash is the previous row's hash, so the two together are the serial walk.
 */
interface Job {
  id: number;
  clinicId: string;
  /** The slice's rows, packed (packRows). */
  text: string;
  nulls: Uint8Array;
}

parentPort?.on('message', ({ id, clinicId, text, nulls }: Job) => {
  try {
    const rows = unpackRows(text, nulls);
    let bad = -1;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (textRowHash(clinicId, r[9], r) !== r[10]) {
        bad = i;
        break;
      }
    }
    parentPort!.postMessage({ id, bad });
  } catch (err) {
    parentPort!.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
