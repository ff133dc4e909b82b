import sharp from 'sharp';

/** What a patient may send with an answer. */
export const MAX_PHOTOS = 3;
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
/** Larger pictures are scaled down to this many pixels on the long side: enough to judge skin. */
export const MAX_STORED_SIDE = 2560;
/** A decompression bomb (a small file of a huge picture) is refused before it is decoded. */
const MAX_INPUT_PIXELS = 50_000_000;

export type SniffedType = 'image/jpeg' | 'image/png' | 'image/heic';

/** Why a photo was refused, in words a patient and a practitioner understand (English; the form page translates the kind). */
export class PhotoRefused extends Error {
  constructor(
    readonly kind: 'type' | 'size' | 'count' | 'unreadable',
    message: string,
  ) {
    super(message);
  }
}

const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1']);

/** The type from the bytes themselves: a name or a Content-Type header says nothing. */
export function sniffImageType(bytes: Buffer): SniffedType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  // ISO BMFF: [size]['ftyp'][major brand][minor][compatible brands…]
  if (bytes.length >= 16 && bytes.toString('latin1', 4, 8) === 'ftyp') {
    const size = Math.min(bytes.readUInt32BE(0), bytes.length, 256);
    const brands = [bytes.toString('latin1', 8, 12)];
    for (let i = 16; i + 4 <= size; i += 4) brands.push(bytes.toString('latin1', i, i + 4));
    // AVIF (av01) is left out: phones send HEVC HEIC; an AVIF-only file is not what the form asks for.
    if (HEIC_BRANDS.has(brands[0]) || (brands.includes('heic') || brands.includes('heix'))) return 'image/heic';
  }
  return null;
}

export interface ProcessedPhoto {
  /** Always a fresh JPEG: no EXIF (location, device, time), no ICC profile, no comments. */
  bytes: Buffer;
  contentType: 'image/jpeg';
  /** What the patient sent, from its bytes. */
  originalType: SniffedType;
  width: number;
  height: number;
}

/**
 * Checks a photo and re-encodes it: the sent file is never kept. The picture is turned upright
 * by its EXIF orientation, scaled down to MAX_STORED_SIDE, and written as a new JPEG without
 * any metadata. Throws PhotoRefused for anything that is not a readable JPEG, PNG or HEIC
 * within the limits.
 */
export async function processPhoto(input: Buffer): Promise<ProcessedPhoto> {
  // Decoding a 12-megapixel photo takes a few hundred MB (HEIC in wasm the most): two at a time per process.
  return inSlot(() => reencode(input));
}

const MAX_AT_ONCE = 2;
let running = 0;
const queue: Array<() => void> = [];

async function inSlot<T>(work: () => Promise<T>): Promise<T> {
  // A finished photo hands its slot straight to the next one waiting.
  if (running >= MAX_AT_ONCE) await new Promise<void>((resolve) => queue.push(resolve));
  else running++;
  try {
    return await work();
  } finally {
    const next = queue.shift();
    if (next) next();
    else running--;
  }
}

async function reencode(input: Buffer): Promise<ProcessedPhoto> {
  if (input.length > MAX_PHOTO_BYTES) throw new PhotoRefused('size', `a photo is larger than ${MAX_PHOTO_BYTES / 1024 / 1024} MB`);
  if (input.length === 0) throw new PhotoRefused('unreadable', 'a photo is empty');
  const originalType = sniffImageType(input);
  if (!originalType) throw new PhotoRefused('type', 'a file is not a JPEG, PNG or HEIC photo');
  let pipeline: ReturnType<typeof sharp>;
  try {
    if (originalType === 'image/heic') {
      // The prebuilt libvips decodes AV1 HEIF only; phones' HEVC HEIC goes through libheif in wasm.
      const { width, height, data } = await decodeHeic(input);
      pipeline = sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw: { width, height, channels: 4 }, limitInputPixels: MAX_INPUT_PIXELS });
    } else {
      pipeline = sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' }).rotate();
    }
    const { data, info } = await pipeline
      .resize({ width: MAX_STORED_SIDE, height: MAX_STORED_SIDE, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 85, mozjpeg: true })
      .toBuffer({ resolveWithObject: true });
    return { bytes: data, contentType: 'image/jpeg', originalType, width: info.width, height: info.height };
  } catch (err) {
    if (err instanceof PhotoRefused) throw err;
    throw new PhotoRefused('unreadable', `a photo could not be read (${originalType === 'image/heic' ? 'HEIC' : originalType.slice(6).toUpperCase()} that is damaged or too large)`);
  }
}

async function decodeHeic(input: Buffer): Promise<{ width: number; height: number; data: Uint8ClampedArray }> {
  // Loaded on first use: the wasm module is a few MB.
  const decode = require('heic-decode') as typeof import('heic-decode');
  const images = await decode.all({ buffer: new Uint8Array(input.buffer, input.byteOffset, input.byteLength) });
  if (!images.length) throw new PhotoRefused('unreadable', 'a HEIC file holds no picture');
  const first = images[0] as unknown as { width: number; height: number; decode(): Promise<{ width: number; height: number; data: Uint8ClampedArray }> };
  if (first.width * first.height > MAX_INPUT_PIXELS) throw new PhotoRefused('size', 'a photo has too many pixels');
  return first.decode();
}
