import sharp from 'sharp';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../config/app-config';
import { MAX_PHOTO_BYTES, PhotoRefused, processPhoto, sniffImageType } from './image';
import { PhotoLinks } from './photo-links';

const HEIC = readFileSync(join(__dirname, '..', '..', 'test', 'fixtures', 'skin.heic'));

describe('photo checks', () => {
  it('sniffs the type from the bytes, never the name', async () => {
    expect(sniffImageType(await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } }).jpeg().toBuffer())).toBe('image/jpeg');
    expect(sniffImageType(await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } }).png().toBuffer())).toBe('image/png');
    expect(sniffImageType(HEIC)).toBe('image/heic');
    expect(sniffImageType(Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00'))).toBeNull();
    expect(sniffImageType(Buffer.from('GIF89a'))).toBeNull();
    expect(sniffImageType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
  });

  it('re-encodes to a JPEG without metadata, upright, at most 2560 px on the long side', async () => {
    const tall = await sharp({ create: { width: 3000, height: 4000, channels: 3, background: '#c85a50' } })
      .jpeg()
      .withExif({ IFD0: { Make: 'PhoneCo' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 8/1 30/1' } })
      .toBuffer();
    const out = await processPhoto(tall);
    expect([out.width, out.height]).toEqual([1920, 2560]);
    const meta = await sharp(out.bytes).metadata();
    expect(meta.exif).toBeUndefined();
    expect(out.bytes.includes(Buffer.from('PhoneCo'))).toBe(false);
  });

  it('refuses too large, not a photo, and damaged files with a reason', async () => {
    await expect(processPhoto(Buffer.alloc(MAX_PHOTO_BYTES + 1, 0xff))).rejects.toMatchObject({ kind: 'size' });
    await expect(processPhoto(Buffer.from('hello'))).rejects.toMatchObject({ kind: 'type' });
    await expect(processPhoto(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]))).rejects.toBeInstanceOf(PhotoRefused);
    await expect(processPhoto(Buffer.concat([HEIC.subarray(0, 40), Buffer.alloc(100)]))).rejects.toMatchObject({ kind: 'unreadable' });
  });
});

describe('photo links', () => {
  const links = new PhotoLinks('x'.repeat(40));
  const claims = { photoId: '7d0f3e8a-9a51-4c2e-8a57-3f1b8f3b6a11', clinicId: 'c1', actorType: 'staff', actorId: 's1', expires: 1000 };
  const query = (url: string) => Object.fromEntries(new URL(url, 'http://x').searchParams);

  it('verify what they signed until they expire', () => {
    const url = links.sign(claims);
    expect(links.verify(claims.photoId, query(url), 999)).toEqual(claims);
    expect(links.verify(claims.photoId, query(url), 1000)).toBe('expired');
  });

  it('refuse another photo, viewer, clinic or expiry under the same signature, and another key', () => {
    const q = query(links.sign(claims));
    expect(links.verify('00000000-0000-4000-8000-000000000000', q, 0)).toBe('invalid');
    expect(links.verify(claims.photoId, { ...q, a: 'staff:s2' }, 0)).toBe('invalid');
    expect(links.verify(claims.photoId, { ...q, c: 'c2' }, 0)).toBe('invalid');
    expect(links.verify(claims.photoId, { ...q, e: '99999' }, 0)).toBe('invalid');
    expect(new PhotoLinks('y'.repeat(40)).verify(claims.photoId, q, 0)).toBe('invalid');
    expect(links.verify(claims.photoId, {}, 0)).toBe('invalid');
  });
});

describe('S3_* settings', () => {
  const base = { PUBLIC_BASE_URL: 'https://a.example' };
  it('default to PostgreSQL', () => {
    expect(loadConfig(base).photoStorage).toEqual({ kind: 'postgres' });
  });
  it('give an S3 store with a bucket and a region or endpoint', () => {
    expect(loadConfig({ ...base, S3_BUCKET: 'photos', S3_ENDPOINT: 'http://minio:9000/', S3_ACCESS_KEY_ID: 'k', S3_SECRET_ACCESS_KEY: 's' }).photoStorage).toEqual({
      kind: 's3',
      bucket: 'photos',
      region: 'us-east-1',
      endpoint: 'http://minio:9000',
      accessKeyId: 'k',
      secretAccessKey: 's',
      forcePathStyle: true,
      prefix: 'photos/',
    });
    expect(loadConfig({ ...base, S3_BUCKET: 'photos', S3_REGION: 'eu-central-1', S3_PREFIX: 'aftercare' }).photoStorage).toMatchObject({ forcePathStyle: false, prefix: 'aftercare/' });
  });
  it.each([
    [{ S3_REGION: 'eu-central-1' }, 'S3_BUCKET must be set when S3_REGION is set'],
    [{ S3_BUCKET: 'photos' }, 'S3_REGION or S3_ENDPOINT must be set'],
    [{ S3_BUCKET: 'photos', S3_REGION: 'eu-central-1', S3_ACCESS_KEY_ID: 'k' }, 'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together'],
    [{ S3_BUCKET: 'Photos_Bucket', S3_REGION: 'eu-central-1' }, 'S3_BUCKET must be a bucket name'],
    [{ S3_BUCKET: 'photos', S3_ENDPOINT: 'minio:9000' }, 'S3_ENDPOINT must be an http(s) URL'],
  ])('refuse %j at start', (env, message) => {
    expect(() => loadConfig({ ...base, ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, ...env })).toThrow(message);
  });
});
