import { Injectable, OnModuleDestroy } from '@nestjs/common';
import os from 'node:os';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryRunner } from 'typeorm';
import type { PoolClient } from 'pg';
import type { PayloadRow } from './audit-rows';
import { AuditRepository } from './audit.repository';
import { ChainHashPool } from './chain-hash-pool';
import { ChainTextRow, GENESIS, payloadDigestOf, textRowHash } from './chain-hash';
import { checkpointSignatureValid, ExportedCheckpoint, sameKey } from './signing-key';

/**
 * ok: the chain is whole and every checkpoint that vouches for it is a prefix of it; broken: a
 * link, an event or a payload does not fit, or a checkpoint does not; truncated: events at or
 * after a checkpoint's seq (or below the recorded head) are gone; unverifiable_truncation: the
 * chain is whole in itself but no trusted key was given, so a cut-off end cannot be ruled out.
 */
export type ChainStatus = 'ok' | 'broken' | 'truncated' | 'unverifiable_truncation';

export interface ChainReport {
  ok: boolean;
  status: ChainStatus;
  /** Events in the clinic's chain as stored (all of them, also when the walk stopped early). */
  count: number;
  /** The chain's real head: its newest stored event. */
  headSeq: string | null;
  headHash: string | null;
  /** The head the service recorded with its last append (audit_chain_heads); events missing below it are a cut. */
  recordedHead?: { seq: string; hash: string } | null;
  brokenAt?: string;
  /** altered, missing, out of order, truncated, head mismatch; payload altered, payload missing, payload redacted without an erasure; or about a checkpoint: checkpoint signature invalid, checkpoint mismatch, checkpoint is for another clinic, checkpoint not signed by a trusted key; or why it is unverifiable. */
  reason?: string;
  /** The checkpoint the answer is about (truncated: the one cut under; else the given or newest stored one; null: none yet). */
  checkpoint?: CheckpointRef | null;
  /** How many checkpoints vouched for the chain (valid, trusted signature) and were checked as its prefixes. */
  checkpointsChecked?: number;
  /** Payloads blanked by erasure among the events checked (their digests still chain). */
  redactedPayloads?: number;
}

export interface VerifyOptions {
  /** undefined: checkpoints judged by their signatures only; null: no key trusted (see verify). */
  trustedKey?: string | null;
  /** Called after each page of events hashed: events checked so far, and the chain's recorded length. */
  onProgress?: (p: { checked: number; total: number }) => void;
  /** Stops the walk between pages (the caller went away). */
  signal?: AbortSignal;
  /** Events read and hashed per page (5000). */
  pageSize?: number;
  /**
   * Worker threads recomputing the hashes while this thread reads the next page and checks the
   * links (0: all on this thread). Default: for a chain of PARALLEL_FROM events or more on a
   * machine with several cores, one per core but one, up to 4; else 0. Same answer either way.
   */
  workers?: number;
}

/** Chains shorter than this are verified on the calling thread (handing pages to workers costs more than it saves). */
export const PARALLEL_FROM = 100_000;

/** The default number of verification workers for a chain of `length` events. */
function defaultWorkers(length: number): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  // One core is left to the reading thread (and PostgreSQL shares them all): on two cores one
  // worker gave the best wall time, two cost more CPU for less (BENCHMARKS.md, session 19).
  return length >= PARALLEL_FROM && cores >= 2 ? Math.min(4, cores - 1) : 0;
}

export interface CheckpointRef {
  id?: string;
  clinicSeq: string;
  headHash: string;
  createdAt: string;
  publicKey: string;
}

/** A checkpoint as verification weighs it: a stored one (with its id) or an exported one. */
type CheckpointOf = ExportedCheckpoint & { id?: string };

interface Walk {
  count: number;
  head: { seq: string; hash: string } | null;
  broken: { at: string; reason: string } | null;
  /** The hash at each seq a vouching checkpoint signed. */
  hashes: Map<string, string>;
  redacted: number;
}

/** Decides whether a clinic's audit chain is whole: every hash, payload and checkpoint checked, truncation told apart from a break. */
@Injectable()
export class ChainVerifier implements OnModuleDestroy {
  private pool: ChainHashPool | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: AuditRepository,
  ) {}

  async onModuleDestroy(): Promise<void> {
    await this.pool?.close();
    this.pool = null;
  }

  /** The worker pool of this size (started on first use, kept between verifications). */
  private poolOf(size: number): ChainHashPool {
    if (this.pool?.size !== size) {
      void this.pool?.close();
      this.pool = new ChainHashPool(size);
    }
    return this.pool;
  }

  /**
   * Walks the clinic's whole chain in one snapshot and recomputes every hash, then checks it
   * against every checkpoint: each stored one, and `given` (an exported one) when passed. A
   * checkpoint counts only when its signature is valid and, with `trustedKey`, it was signed by
   * that key; each counted checkpoint must be a prefix of the chain (its seq at most the head,
   * the event hash at its seq equal to its head hash). Events missing at or after a checkpoint's
   * seq, or below the recorded head (audit_chain_heads), are reported as `truncated` with the
   * checkpoint and the real head, before anything the shortened walk ran into.
   *
   * `trustedKey`: undefined judges checkpoints by their signatures only; null says no key is
   * trusted, so a chain that is whole in itself is reported `unverifiable_truncation` (not ok):
   * without a trusted signer nothing shows that its newest events were not cut off.
   *
   * The report's count and head (headSeq, headHash) describe the whole chain as stored, not
   * where the walk stopped.
   */
  async verify(clinicId: string, given?: ExportedCheckpoint, opts: VerifyOptions = {}): Promise<ChainReport> {
    const runner = this.db.createQueryRunner();
    const connection: unknown = await runner.connect();
    try {
      await this.repo.startSnapshot(runner);
      const report = await this.verifyIn(runner, pgClientOf(connection), clinicId, given, opts.trustedKey, opts);
      await runner.rollbackTransaction();
      return report;
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  }

  private async verifyIn(
    runner: QueryRunner,
    client: PoolClient,
    clinicId: string,
    given: ExportedCheckpoint | undefined,
    trustedKey: string | null | undefined,
    progress: Pick<VerifyOptions, 'onProgress' | 'signal' | 'pageSize' | 'workers'> = {},
  ): Promise<ChainReport> {
    const stored: CheckpointOf[] = await this.repo.checkpoints(runner.manager, clinicId);
    const newest: CheckpointOf | null = given ?? stored[stored.length - 1] ?? null;
    const refOf = (cp: CheckpointOf): CheckpointRef => ({
      clinicSeq: cp.clinicSeq, headHash: cp.headHash, createdAt: cp.createdAt, publicKey: cp.publicKey, ...(cp.id ? { id: cp.id } : {}),
    });
    const all: CheckpointOf[] = given ? [...stored, given] : stored;
    const recordedHead = await this.repo.recordedHead(runner.manager, clinicId);

    // The checkpoints that vouch for the chain: well signed, for this clinic, by a trusted signer.
    const problems: Array<{ cp: CheckpointOf; reason: string }> = [];
    const vouching: Array<{ cp: CheckpointOf; seq: bigint }> = [];
    for (const cp of all) {
      let seq: bigint | null = null;
      try {
        seq = BigInt(cp.clinicSeq);
      } catch {
        seq = null;
      }
      if (cp.clinicId !== clinicId) problems.push({ cp, reason: 'checkpoint is for another clinic' });
      else if (seq === null || seq < 0n || !checkpointSignatureValid(cp)) problems.push({ cp, reason: 'checkpoint signature invalid' });
      else if (trustedKey && !sameKey(trustedKey, cp.publicKey)) {
        // An old key's checkpoints (before a rotation) vouch for nothing but are no fault; the newest must be ours.
        if (cp === newest) problems.push({ cp, reason: 'checkpoint not signed by a trusted key' });
      } else vouching.push({ cp, seq });
    }
    const wanted = new Set(vouching.map((v) => String(v.seq)));

    const walk = await this.walk(runner, client, clinicId, wanted, { ...progress, total: recordedHead ? Number(recordedHead.seq) : 0 });
    // The whole chain as stored, not where the walk stopped.
    let count = walk.count;
    let head = walk.head;
    if (walk.broken) {
      ({ count, head } = await this.repo.storedHead(runner.manager, clinicId));
    }
    const headSeq = head ? BigInt(head.seq) : 0n;
    const base = {
      count,
      headSeq: head?.seq ?? null,
      headHash: head?.hash ?? null,
      recordedHead,
      redactedPayloads: walk.redacted,
      checkpointsChecked: vouching.length,
    };
    const fail = (status: ChainStatus, reason: string, brokenAt: string | undefined, cp: CheckpointOf | null): ChainReport => ({
      ok: false,
      status,
      ...base,
      ...(brokenAt ? { brokenAt } : {}),
      reason,
      checkpoint: cp ? refOf(cp) : null,
    });

    // 1. Truncation: the newest events are gone under a checkpoint (the highest one that vouches), or below the recorded head.
    const highest = vouching.reduce<(typeof vouching)[number] | null>((a, v) => (!a || v.seq > a.seq ? v : a), null);
    if (highest && highest.seq > headSeq) return fail('truncated', 'truncated', String(headSeq + 1n), highest.cp);
    if (recordedHead && BigInt(recordedHead.seq) > headSeq) return fail('truncated', 'truncated', String(headSeq + 1n), newest);
    // 2. A break in the chain itself (altered, missing, out of order, a payload problem).
    if (walk.broken) return fail('broken', walk.broken.reason, walk.broken.at, newest);
    // 3. A chain whole in itself but not the one a checkpoint signed (rewritten at or before its seq).
    for (const v of vouching) {
      const expected = v.seq === 0n ? GENESIS : walk.hashes.get(String(v.seq));
      if (expected !== v.cp.headHash) return fail('broken', 'checkpoint mismatch', v.seq === 0n ? undefined : String(v.seq), v.cp);
    }
    if (recordedHead && (BigInt(recordedHead.seq) !== headSeq || recordedHead.hash !== (head?.hash ?? GENESIS))) {
      return fail('broken', 'head mismatch', recordedHead.seq, newest);
    }
    // 4. Checkpoints that vouch for nothing.
    const problem = problems.find((p) => p.cp === newest) ?? problems[0];
    if (problem) return fail('broken', problem.reason, undefined, problem.cp);
    if (trustedKey === null) {
      return fail('unverifiable_truncation', 'no trusted key: the chain is whole in itself, but nothing shows its newest events were not cut off', undefined, newest);
    }
    return { ok: true, status: 'ok', ...base, checkpoint: newest ? refOf(newest) : null };
  }

  /**
   * Streams the chain in keyset pages of events (by the (clinic_id, clinic_seq) index, as text
   * arrays: no object or type parsing per row) and their payloads (by primary key, a separate
   * query), the next page read while this one is hashed. Stops at the first break; a blank
   * payload is a break only when no erasure event of the chain lists it (an erasure comes after
   * the events it redacts, so this is settled at the end).
   */
  private async walk(
    runner: QueryRunner,
    client: PoolClient,
    clinicId: string,
    wanted: Set<string>,
    progress: Pick<VerifyOptions, 'onProgress' | 'signal' | 'pageSize' | 'workers'> & { total: number },
  ): Promise<Walk> {
    const pageSize = progress.pageSize ?? 5000;
    const workers = progress.workers ?? defaultWorkers(progress.total);
    const pool = workers > 0 ? this.poolOf(workers) : null;
    const hashes = new Map<string, string>();
    const claimed = new Set<string>();
    const redactedSeqs: number[] = [];
    let prevHash = GENESIS;
    // The next clinic_seq: a number (chains stay far below 2^53 events), compared with the text PostgreSQL sends.
    let expected = 1;
    let count = 0;
    let headSeq: string | null = null;
    let broken: { at: string; reason: string } | null = null;
    type Page = { events: ChainTextRow[]; payloads: Map<string, PayloadRow>; altered: Promise<number> | null };
    // A page's hashes are recomputed by the workers as soon as it arrives (while its payloads
    // and the next page are read, and the previous page's links are checked).
    const fetchPage = async (from: number): Promise<Page> => {
      const events = await this.repo.chainPageText(client, clinicId, from, pageSize);
      if (!events.length) return { events, payloads: new Map<string, PayloadRow>(), altered: null };
      const altered = pool ? pool.firstAltered(clinicId, events) : null;
      altered?.catch(() => undefined); // awaited below; a break may leave it unread
      const rows = await this.repo.payloadsOf(clinicId, events.map((e) => e[0]), runner.manager);
      return { events, payloads: new Map(rows.map((r) => [r.event_seq, r])), altered };
    };
    let next: Promise<Page> | null = fetchPage(1);
    outer: while (next) {
      const { events, payloads, altered: alteredAt } = await next;
      next = null;
      if (events.length === pageSize) {
        next = fetchPage(Number(events[events.length - 1][1]) + 1);
        next.catch(() => undefined); // awaited on the next turn; a break may leave it unread
      }
      // With workers: the index of the page's first row whose hash (recomputed from the row and
      // its stored prev_hash) differs. Each stored prev_hash is checked against the previous
      // row's hash below, before that row's own check, so this is the serial walk's answer.
      const altered = alteredAt ? await alteredAt : -1;
      for (let i = 0; i < events.length; i++) {
        const row = events[i];
        const seqText = row[1];
        if (Number(seqText) !== expected) {
          broken = { at: String(expected), reason: 'missing' };
          break outer;
        }
        if (row[9] !== prevHash) {
          broken = { at: seqText, reason: 'out of order' };
          break outer;
        }
        const hash = row[10];
        if (pool ? i === altered : textRowHash(clinicId, prevHash, row) !== hash) {
          broken = { at: seqText, reason: 'altered' };
          break outer;
        }
        const p = payloads.get(row[0]);
        const payloadProblem = payloadCheck(row[11], p);
        if (payloadProblem) {
          broken = { at: seqText, reason: payloadProblem };
          break outer;
        }
        if (p?.redacted_at) redactedSeqs.push(expected);
        if (row[5] === 'patient.erased') for (const s of redactedSeqsOf(JSON.parse(row[8]) as Record<string, unknown> | null)) claimed.add(String(s));
        if (wanted.has(seqText)) hashes.set(seqText, hash);
        prevHash = hash;
        headSeq = seqText;
        expected++;
        count++;
      }
      // After each page: how far the walk is (the recorded head as the expected total), and whether the caller still wants it.
      progress.onProgress?.({ checked: count, total: Math.max(progress.total, count) });
      if (progress.signal?.aborted) throw new Error('verification aborted: nobody is waiting for it');
    }
    // A payload may be blank only because an erasure (whose chained event lists it) blanked it.
    const unclaimed = redactedSeqs.find((s) => !claimed.has(String(s)));
    if (unclaimed !== undefined && (!broken || unclaimed < Number(broken.at))) broken = { at: String(unclaimed), reason: 'payload redacted without an erasure' };
    return { count, head: headSeq === null ? null : { seq: headSeq, hash: prevHash }, broken, hashes, redacted: redactedSeqs.length };
  }
}

/** The sequence numbers an erasure event's chained data lists as blanked. */
function redactedSeqsOf(data: Record<string, unknown> | null): unknown[] {
  const seqs = data?.redactedSeqs;
  return Array.isArray(seqs) ? (seqs as unknown[]) : [];
}

/** Why an event's payload does not match the digest its chained event carries, if it does not. */
function payloadCheck(digest: string | null, p: PayloadRow | undefined): string | null {
  if (digest === null) return p ? 'payload altered' : null;
  if (!p) return 'payload missing';
  if (p.digest !== digest) return 'payload altered';
  if (p.redacted_at) return p.payload === null ? null : 'payload altered';
  if (p.payload === null || payloadDigestOf(p.payload) !== digest) return 'payload altered';
  return null;
}

/** The pg client under a connected TypeORM query runner (what PostgresQueryRunner.connect resolves to). */
function pgClientOf(connection: unknown): PoolClient {
  if (!connection || typeof (connection as PoolClient).query !== 'function') throw new Error('verification needs the runner\'s pg client');
  return connection as PoolClient;
}
