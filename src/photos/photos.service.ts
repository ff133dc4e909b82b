/** Decides which photos are kept with an answer and who may see them (signed, audited links). */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/actor';
import { Clock } from '../common/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MAX_PHOTO_BYTES, MAX_PHOTOS, PhotoRefused, ProcessedPhoto, processPhoto } from './image';
import { ResponsePhoto } from './photo.entity';
import { PHOTO_LINK_TTL_SECONDS, PhotoLinks } from './photo-links';
import { PhotoStore, StoredPhotoRef } from './photo-store';
import { MmsIntakeRepository } from './mms-intake.repository';
import { PhotosRepository } from './photos.repository';

export const PHOTO_STORE = Symbol('PHOTO_STORE');

export interface PhotoLink {
  id: string;
  responseId: string | null;
  messageId: string | null;
  source: 'form' | 'mms';
  position: number;
  contentType: 'image/jpeg';
  originalType: string;
  width: number;
  height: number;
  createdAt: Date;
  url: string;
  expiresAt: Date;
}

export interface MmsMedia {
  url: string;
  contentType?: string;
}

/** A medium that will not be fetched however often it is tried (not Twilio's address, a 4xx). */
export class MediaRefused extends Error {}

/**
 * Patients' photos: checked and re-encoded (src/photos/image.ts), stored with the answer in one
 * transaction, shown to staff through short-lived signed links (each view audited), exported
 * and erased with the patient's other records.
 */
@Injectable()
export class PhotosService {
  private readonly logger = new Logger('Photos');
  readonly links: PhotoLinks;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: PhotosRepository,
    @Inject(PHOTO_STORE) readonly store: PhotoStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly mmsFetches: MmsIntakeRepository,
  ) {
    this.links = new PhotoLinks(config.jwtSecret);
  }

  /** The form's files, all checked before anything is stored: one refused photo refuses the submission. */
  async prepare(files: Buffer[]): Promise<ProcessedPhoto[]> {
    if (files.length > MAX_PHOTOS) throw new PhotoRefused('count', `at most ${MAX_PHOTOS} photos can be sent with an answer`);
    const out: ProcessedPhoto[] = [];
    // One at a time: decoding is memory-heavy and a form has at most three.
    for (const f of files) out.push(await processPhoto(f));
    return out;
  }

  /**
   * Stores photos in the transaction `m` that stores their answer. An object store's uploads
   * happen now; `written` collects them so the caller can take them back (discard) if the
   * transaction does not commit.
   */
  async attach(
    tx: EntityManager,
    owner: { clinicId: string; patientId: string; responseId: string | null; messageId: string | null; source: 'form' | 'mms'; actor: Actor; firstPosition?: number },
    photos: ProcessedPhoto[],
    written: StoredPhotoRef[],
  ): Promise<ResponsePhoto[]> {
    const rows: ResponsePhoto[] = [];
    const now = this.clock.now();
    for (const [i, p] of photos.slice(0, MAX_PHOTOS).entries()) {
      const id = randomUUID();
      const ref: StoredPhotoRef = { id, clinicId: owner.clinicId, storageKey: this.store.keyFor(owner.clinicId, id) };
      const row = this.repo.build(tx, {
        id,
        clinicId: owner.clinicId,
        patientId: owner.patientId,
        responseId: owner.responseId,
        messageId: owner.messageId,
        source: owner.source,
        position: (owner.firstPosition ?? 1) + i,
        contentType: p.contentType,
        originalType: p.originalType,
        width: p.width,
        height: p.height,
        byteSize: p.bytes.length,
        sha256: createHash('sha256').update(p.bytes).digest('hex'),
        storage: this.store.kind,
        storageKey: ref.storageKey,
        createdAt: now,
      });
      await this.repo.insert(tx, row);
      if (this.store.kind !== 'postgres') written.push(ref);
      await this.store.put(tx, ref, p.bytes);
      rows.push(row);
    }
    if (rows.length) {
      await this.audit.record(tx, {
        clinicId: owner.clinicId,
        actor: owner.actor,
        action: 'photos.stored',
        entityType: owner.responseId ? 'response' : 'message',
        entityId: owner.responseId ?? owner.messageId,
        data: { photoIds: rows.map((r) => r.id), source: owner.source, storage: this.store.kind, originalTypes: rows.map((r) => r.originalType) },
      });
    }
    return rows;
  }

  /** Takes back objects uploaded for a transaction that did not commit (an object store is not in it). */
  async discard(written: StoredPhotoRef[]): Promise<void> {
    if (!written.length) return;
    await this.store.remove(this.db.manager, written).catch((err: unknown) => this.logger.error(`Could not take back ${written.length} uploaded photo(s): ${err instanceof Error ? err.message : String(err)}`));
  }

  /** Runs `work` with a list for uploads; on failure the uploads are taken back and the error rethrown. */
  async withUploads<T>(work: (written: StoredPhotoRef[]) => Promise<T>): Promise<T> {
    const written: StoredPhotoRef[] = [];
    try {
      return await work(written);
    } catch (err) {
      await this.discard(written);
      throw err;
    }
  }

  async forResponses(clinicId: string, responseIds: string[]): Promise<ResponsePhoto[]> {
    if (!responseIds.length) return [];
    return this.repo.forResponses(clinicId, responseIds);
  }

  async forMessages(clinicId: string, messageIds: string[]): Promise<ResponsePhoto[]> {
    if (!messageIds.length) return [];
    return this.repo.forMessages(clinicId, messageIds);
  }

  async listForPatient(clinicId: string, patientId: string, tx?: EntityManager): Promise<ResponsePhoto[]> {
    return this.repo.listForPatient(clinicId, patientId, tx);
  }

  /** Signed links for `actor`, valid PHOTO_LINK_TTL_SECONDS from now. */
  linksFor(rows: ResponsePhoto[], actor: Actor): PhotoLink[] {
    const expires = Math.floor(this.clock.now().getTime() / 1000) + PHOTO_LINK_TTL_SECONDS;
    return rows.map((r) => ({
      id: r.id,
      responseId: r.responseId,
      messageId: r.messageId,
      source: r.source,
      position: r.position,
      contentType: r.contentType,
      originalType: r.originalType,
      width: r.width,
      height: r.height,
      createdAt: r.createdAt,
      url: this.links.sign({ photoId: r.id, clinicId: r.clinicId, actorType: actor.type, actorId: actor.id ?? '', expires }),
      expiresAt: new Date(expires * 1000),
    }));
  }

  /** A signed link opened: the bytes, after the view is on the record as a read by the link's holder. */
  async view(photoId: string, query: Record<string, unknown>): Promise<{ state: 'ok'; bytes: Buffer } | { state: 'invalid' | 'expired' | 'gone' }> {
    const claims = this.links.verify(photoId, query, Math.floor(this.clock.now().getTime() / 1000));
    if (claims === 'invalid' || claims === 'expired') return { state: claims };
    const row = await this.repo.find(claims.clinicId, photoId);
    const bytes = row ? await this.store.get(this.db.manager, row) : null;
    if (!row || !bytes) return { state: 'gone' };
    await this.audit.recordAccess({
      clinicId: row.clinicId,
      actor: { type: claims.actorType as Actor['type'], id: claims.actorId || null },
      action: 'photo.viewed',
      entityType: 'photo',
      entityId: row.id,
      data: { patientId: row.patientId, responseId: row.responseId, messageId: row.messageId },
    });
    return { state: 'ok', bytes };
  }

  /** The patient's photos with their bytes, for the access export. */
  async exportForPatient(clinicId: string, patientId: string): Promise<Array<ResponsePhoto & { dataBase64: string | null }>> {
    return this.withData(await this.listForPatient(clinicId, patientId));
  }

  /** These photos with their bytes (base64; null when the store has lost them). */
  async withData(rows: ResponsePhoto[]): Promise<Array<ResponsePhoto & { dataBase64: string | null }>> {
    const out: Array<ResponsePhoto & { dataBase64: string | null }> = [];
    for (const r of rows) {
      const bytes = await this.store.get(this.db.manager, r);
      out.push({ ...r, dataBase64: bytes ? bytes.toString('base64') : null });
    }
    return out;
  }

  /**
   * Erasure: the patient's photos go, rows and bytes, inside the erasure's transaction. An
   * object store deletes at once; if that fails the erasure fails and can be retried.
   */
  async eraseForPatient(tx: EntityManager, clinicId: string, patientId: string): Promise<number> {
    // Media not yet fetched are never fetched (an intake under way finds its lease gone).
    await this.mmsFetches.deleteForPatient(tx, clinicId, patientId);
    const rows = await this.listForPatient(clinicId, patientId, tx);
    if (!rows.length) return 0;
    const ids = rows.map((r) => r.id);
    if (this.store.kind === 'postgres') await this.store.remove(tx, rows);
    await this.repo.delete(tx, clinicId, ids);
    if (this.store.kind !== 'postgres') await this.store.remove(tx, rows);
    return rows.length;
  }

  /**
   * One MMS medium, fetched from Twilio with the account's credentials and checked like the
   * form's photos. Only Twilio's own address (or TWILIO_API_URL's) is fetched: the credentials go
   * nowhere else. Throws PhotoRefused (or MediaRefused) when trying again cannot help; any other
   * error (network, timeout, 5xx, 429) may pass: MmsIntake tries again later.
   */
  async fetchMedium(url: string): Promise<ProcessedPhoto> {
    return processPhoto(await this.download(url));
  }

  private async download(url: string): Promise<Buffer> {
    const twilio = this.config.twilio;
    if (!twilio) throw new MediaRefused('could not be fetched (Twilio is not configured)');
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      throw new MediaRefused('could not be fetched (the media URL is not a URL)');
    }
    const allowed = new Set(['https://api.twilio.com', ...(twilio.apiUrl ? [new URL(twilio.apiUrl).origin] : [])]);
    if (!allowed.has(target.origin)) throw new MediaRefused(`could not be fetched (the media URL is not on ${[...allowed].join(' or ')})`);
    const res = await fetch(target, {
      headers: { Authorization: 'Basic ' + Buffer.from(`${twilio.accountSid}:${twilio.authToken}`).toString('base64') },
      // Twilio answers with a redirect to its media store; fetch drops the credentials when it leaves the origin.
      redirect: 'follow',
      signal: AbortSignal.timeout(20_000),
    });
    // A 4xx other than a timeout or a rate limit will not change by asking again.
    if (!res.ok) {
      await res.body?.cancel();
      if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) throw new MediaRefused(`could not be fetched (HTTP ${res.status})`);
      throw new Error(`HTTP ${res.status}`);
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > MAX_PHOTO_BYTES) {
      await res.body?.cancel();
      throw new PhotoRefused('size', `a photo is larger than ${MAX_PHOTO_BYTES / 1024 / 1024} MB`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      total += chunk.length;
      if (total > MAX_PHOTO_BYTES) throw new PhotoRefused('size', `a photo is larger than ${MAX_PHOTO_BYTES / 1024 / 1024} MB`);
      chunks.push(Buffer.from(chunk));
    }
    return Buffer.concat(chunks);
  }
}
