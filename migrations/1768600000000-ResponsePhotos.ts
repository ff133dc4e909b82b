import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Photos sent with answers (issue 13 §2). `response_photos` describes each photo (re-encoded
 * JPEG) and where its bytes are: in `response_photo_data` (bytea, the embedded default) or in
 * an S3-compatible store under `storage_key`. Rows are written once and deleted by erasure;
 * never updated.
 */
export class ResponsePhotos1768600000000 implements MigrationInterface {
  name = 'ResponsePhotos1768600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE response_photos (
        id uuid PRIMARY KEY,
        clinic_id uuid NOT NULL REFERENCES clinics(id),
        patient_id uuid NOT NULL REFERENCES patients(id),
        response_id uuid REFERENCES responses(id),
        message_id uuid REFERENCES messages(id),
        source text NOT NULL CHECK (source IN ('form', 'mms')),
        position smallint NOT NULL CHECK (position BETWEEN 1 AND 3),
        content_type text NOT NULL CHECK (content_type = 'image/jpeg'),
        original_type text NOT NULL CHECK (original_type IN ('image/jpeg', 'image/png', 'image/heic')),
        width int NOT NULL CHECK (width > 0),
        height int NOT NULL CHECK (height > 0),
        byte_size int NOT NULL CHECK (byte_size > 0),
        sha256 text NOT NULL,
        storage text NOT NULL CHECK (storage IN ('postgres', 's3')),
        storage_key text NOT NULL,
        created_at timestamptz NOT NULL,
        CHECK (response_id IS NOT NULL OR message_id IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX response_photos_response_idx ON response_photos (clinic_id, response_id) WHERE response_id IS NOT NULL`);
    await q.query(`CREATE INDEX response_photos_message_idx ON response_photos (clinic_id, message_id) WHERE message_id IS NOT NULL`);
    await q.query(`CREATE INDEX response_photos_patient_idx ON response_photos (clinic_id, patient_id, created_at)`);
    await q.query(`
      CREATE TABLE response_photo_data (
        photo_id uuid PRIMARY KEY REFERENCES response_photos(id) ON DELETE CASCADE,
        clinic_id uuid NOT NULL REFERENCES clinics(id),
        data bytea NOT NULL
      )`);
    // The bytes are already JPEG: compressing them again is wasted work.
    await q.query(`ALTER TABLE response_photo_data ALTER COLUMN data SET STORAGE EXTERNAL`);
    await q.query(`REVOKE ALL ON response_photos, response_photo_data FROM aftercare_app`);
    await q.query(`GRANT SELECT, INSERT, DELETE ON response_photos, response_photo_data TO aftercare_app`);
    await q.query(`GRANT SELECT ON response_photos TO aftercare_auditor`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE response_photo_data`);
    await q.query(`DROP TABLE response_photos`);
  }
}
