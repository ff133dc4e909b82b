import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createTestApp, TestApp } from './support/app';
import { linkIn, newClinic, newPatient, newTreatment } from './support/factories';
import { FORM, jpegWithGps } from './support/photos';
import { S3SigningCheck } from './support/s3-signing-check';

/** Photos with answers in the S3 store, against an S3-compatible server (s3rver, which checks the SDK's SigV4 signatures). */

describe('photos in an S3-compatible store (s3rver, behind a check of the SDK’s SigV4 signatures)', () => {
  let t: TestApp;
  let s3: { close(): Promise<void>; address(): { port: number } } & Record<string, any>;
  let check: S3SigningCheck;
  let dir: string;
  let s3Port = 0;
  const bucket = 'aftercare-photos';
  const creds = { accessKeyId: 'AKIDAFTERCARETEST01', secretAccessKey: 'aftercare-test-secret-0123456789', region: 'eu-central-1' };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aftercare-s3-'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const S3rver = require('s3rver');
    s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: bucket }] });
    const { port } = await s3.run();
    s3Port = port;
    // s3rver does not check V4 signatures: this server in front of it does, by hand, as S3 would.
    check = await new S3SigningCheck({ host: '127.0.0.1', port }, creds).start();
    t = await createTestApp({
      start: '2026-03-02T08:00:00Z',
      env: {
        S3_BUCKET: bucket,
        S3_ENDPOINT: check.url,
        S3_REGION: creds.region,
        S3_ACCESS_KEY_ID: creds.accessKeyId,
        S3_SECRET_ACCESS_KEY: creds.secretAccessKey,
        S3_PREFIX: 'test/',
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await check?.stop();
    await s3?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores the re-encoded photo as an object under the clinic, serves it by signed link, and erasure deletes it', async () => {
    t.clock.set('2026-03-02T08:00:00Z');
    const c = await newClinic(t);
    const p = await newPatient(t, c, { preferredChannel: 'email' });
    await newTreatment(t, c, p.id);
    t.clock.set('2026-03-03T09:00:00Z');
    await t.dispatcher.tick();
    const link = linkIn(t.smtp.to(p.email!).at(-1)!.parsed.text!);
    await t.http.post(link).field({ ...FORM }).attach('photos', await jpegWithGps(), { filename: 'a.jpg', contentType: 'image/jpeg' }).expect(200);
    const [row] = await t.db.query(`SELECT * FROM response_photos WHERE patient_id = $1`, [p.id]);
    expect(row).toMatchObject({ storage: 's3', storage_key: `test/${c.clinic.id}/${row.id}.jpg`, clinic_id: c.clinic.id });
    expect((await t.db.query(`SELECT count(*)::int AS n FROM response_photo_data WHERE photo_id = $1`, [row.id]))[0].n).toBe(0);
    const { S3Client, GetObjectCommand } = await import('@aws-sdk/client-s3');
    // The store itself, read directly.
    const client = new S3Client({ region: 'us-east-1', endpoint: `http://127.0.0.1:${s3Port}`, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const obj = await client.send(new GetObjectCommand({ Bucket: bucket, Key: row.storage_key }));
    const bytes = Buffer.from(await obj.Body!.transformToByteArray());
    expect((await sharp(bytes).metadata()).exif).toBeUndefined();
    // A wrongly signed request is refused by the store: the signing is what lets ours in.
    const wrong = new S3Client({ region: creds.region, endpoint: check.url, forcePathStyle: true, credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: 'not-the-secret' } });
    await expect(wrong.send(new GetObjectCommand({ Bucket: bucket, Key: row.storage_key }))).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
    expect(check.checked.filter((r) => r.method === 'PUT')).toEqual([expect.objectContaining({ ok: true, path: expect.stringMatching(new RegExp(`^/${bucket}/${row.storage_key}(\\?|$)`)) })]);

    const timeline = (await t.http.get(`/v1/patients/${p.id}/timeline`).set(c.practitioner.auth).expect(200)).body.items;
    const url = timeline.find((i: any) => i.type === 'response').photos[0].url;
    await t.http.get(url).expect(200).expect('Content-Type', 'image/jpeg');

    await t.http.post(`/v1/patients/${p.id}/erase`).set(c.admin.auth).send({ reason: 'Patient asked' }).expect(200);
    await expect(client.send(new GetObjectCommand({ Bucket: bucket, Key: row.storage_key }))).rejects.toMatchObject({ name: 'NoSuchKey' });
    // Every request of the service's (upload, read, delete) was signed right.
    const ours = check.checked;
    expect(ours.filter((r) => !r.ok && r.method !== 'GET')).toEqual([]);
    expect(ours.map((r) => r.method)).toEqual(expect.arrayContaining(['PUT', 'GET', 'POST']));
    client.destroy();
    wrong.destroy();
  });
});
