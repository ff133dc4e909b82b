import { Column, Entity, PrimaryColumn } from 'typeorm';

export const PHOTO_STORAGES = ['postgres', 's3'] as const;
export type PhotoStorage = (typeof PHOTO_STORAGES)[number];

/** A photo a patient sent with an answer (or in an MMS), re-encoded; its bytes live in the photo store. */
@Entity('response_photos')
export class ResponsePhoto {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'clinic_id', type: 'uuid' }) clinicId: string;
  @Column({ name: 'patient_id', type: 'uuid' }) patientId: string;
  /** The answer it came with; null for an MMS whose text was not an answer (then messageId says which text). */
  @Column({ name: 'response_id', type: 'uuid', nullable: true }) responseId: string | null;
  @Column({ name: 'message_id', type: 'uuid', nullable: true }) messageId: string | null;
  @Column({ type: 'text' }) source: 'form' | 'mms';
  /** 1-3 in the order sent. */
  @Column({ type: 'smallint' }) position: number;
  @Column({ name: 'content_type', type: 'text' }) contentType: 'image/jpeg';
  @Column({ name: 'original_type', type: 'text' }) originalType: string;
  @Column({ type: 'int' }) width: number;
  @Column({ type: 'int' }) height: number;
  @Column({ name: 'byte_size', type: 'int' }) byteSize: number;
  @Column({ type: 'text' }) sha256: string;
  @Column({ type: 'text' }) storage: PhotoStorage;
  @Column({ name: 'storage_key', type: 'text' }) storageKey: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
