import { parentPort } from 'node:worker_threads';
import { ChainTextRow, textRowHash } from './chain-hash';

/**
 * A verification worker (ChainHashPool): recomputes the hash of each row of a slice of a
 * chain page from the row itself and its stored prev_hash, and answers with the index of the
 * first row whose stored hash differs (-1: none). The verifier checks on the main thread that
 * each stored prev_hash is the previous row's hash, so the two together are the serial walk.
 */
interface Job {
  id: number;
  clinicId: string;
  rows: ChainTextRow[];
}

parentPort?.on('message', ({ id, clinicId, rows }: Job) => {
  try {
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
