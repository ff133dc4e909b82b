import { DeleteObjectsCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { EntityManager } from 'typeorm';
import type { PhotoStorageConfig } from '../config/app-config';
import { queryRows } from '../database/query-rows';
import { PhotoStorage } from './photo.entity';

export interface StoredPhotoRef {
  id: string;
  clinicId: string;
  storageKey: string;
}

/**
 * Where photo bytes live. `put` and `remove` take the transaction that writes (or deletes) the
 * photo rows: the PostgreSQL store writes through it, so the answer and its photos commit
 * together; an object store writes at once, and PhotosService takes objects back when the
 * transaction does not commit.
 */
export interface PhotoStore {
  readonly kind: PhotoStorage;
  keyFor(clinicId: string, photoId: string): string;
  put(tx: EntityManager, photo: StoredPhotoRef, bytes: Buffer): Promise<void>;
  get(tx: EntityManager, photo: StoredPhotoRef): Promise<Buffer | null>;
  remove(tx: EntityManager, photos: StoredPhotoRef[]): Promise<void>;
}

/** The embedded default: bytea in response_photo_data, one row per photo, with its clinic. */
export class PostgresPhotoStore implements PhotoStore {
  readonly kind = 'postgres' as const;

  keyFor(_clinicId: string, photoId: string): string {
    return photoId;
  }

  async put(tx: EntityManager, photo: StoredPhotoRef, bytes: Buffer): Promise<void> {
    await tx.query(`INSERT INTO response_photo_data (photo_id, clinic_id, data) VALUES ($1, $2, $3)`, [photo.id, photo.clinicId, bytes]);
  }

  async get(tx: EntityManager, photo: StoredPhotoRef): Promise<Buffer | null> {
    const rows = await queryRows<{ data: Buffer }>(tx, `SELECT data FROM response_photo_data WHERE photo_id = $1 AND clinic_id = $2`, [photo.id, photo.clinicId]);
    return rows[0]?.data ?? null;
  }

  async remove(tx: EntityManager, photos: StoredPhotoRef[]): Promise<void> {
    for (const clinicId of new Set(photos.map((p) => p.clinicId))) {
      const ids = photos.filter((p) => p.clinicId === clinicId).map((p) => p.id);
      await tx.query(`DELETE FROM response_photo_data WHERE clinic_id = $1 AND photo_id = ANY($2::uuid[])`, [clinicId, ids]);
    }
  }
}

/** Any S3-compatible store through @aws-sdk/client-s3; keys are prefix/clinic/photo.jpg. */
export class S3PhotoStore implements PhotoStore {
  readonly kind = 's3' as const;
  readonly client: S3Client;

  constructor(private readonly config: Extract<PhotoStorageConfig, { kind: 's3' }>) {
    this.client = new S3Client({
      region: config.region,
      endpoint: config.endpoint,
      forcePathStyle: config.forcePathStyle,
      credentials: config.accessKeyId && config.secretAccessKey ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } : undefined,
      // Only what the request needs: some S3-compatible stores refuse the newer default checksums.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
  }

  keyFor(clinicId: string, photoId: string): string {
    return `${this.config.prefix}${clinicId}/${photoId}.jpg`;
  }

  async put(_m: EntityManager, photo: StoredPhotoRef, bytes: Buffer): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.config.bucket, Key: photo.storageKey, Body: bytes, ContentType: 'image/jpeg', ContentLength: bytes.length, Metadata: { 'clinic-id': photo.clinicId } }),
    );
  }

  async get(_m: EntityManager, photo: StoredPhotoRef): Promise<Buffer | null> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: photo.storageKey }));
      return out.Body ? Buffer.from(await out.Body.transformToByteArray()) : null;
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchKey') return null;
      throw err;
    }
  }

  async remove(_m: EntityManager, photos: StoredPhotoRef[]): Promise<void> {
    for (let i = 0; i < photos.length; i += 1000) {
      const batch = photos.slice(i, i + 1000);
      const out = await this.client.send(
        new DeleteObjectsCommand({ Bucket: this.config.bucket, Delete: { Objects: batch.map((p) => ({ Key: p.storageKey })), Quiet: true } }),
      );
      const failed = (out.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
      if (failed.length) throw new Error(`The photo store kept ${failed.length} object(s): ${failed[0].Code ?? ''} ${failed[0].Message ?? ''}`.trim());
    }
  }
}

export function createPhotoStore(config: PhotoStorageConfig): PhotoStore {
  return config.kind === 's3' ? new S3PhotoStore(config) : new PostgresPhotoStore();
}
