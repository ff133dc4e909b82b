import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { NO_WARNING_SIGNS } from './factories';

/** The photos the photo e2e files send, and the answer they come with. */

export const FORM = { bruising: '1', redness: '2', itching: '0', burning: '0', pain: '1', ...NO_WARNING_SIGNS, free_text: '' };
export const HEIC = readFileSync(join(__dirname, '..', 'fixtures', 'skin.heic'));

/** A phone's JPEG: camera make and a GPS position in its EXIF. */
export async function jpegWithGps(): Promise<Buffer> {
  return sharp({ create: { width: 640, height: 480, channels: 3, background: '#c85a50' } })
    .jpeg()
    .withExif({ IFD0: { Make: 'PhoneCo', Model: 'X1' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 8/1 30/1', GPSLongitudeRef: 'E', GPSLongitude: '11/1 34/1 0/1' } })
    .toBuffer();
}
export const png = () => sharp({ create: { width: 300, height: 200, channels: 4, background: { r: 200, g: 100, b: 90, alpha: 0.5 } } }).png().toBuffer();
/** The EXIF GPS IFD pointer tag (0x8825), either byte order. */
export const hasGpsTag = (exif: Buffer) => exif.includes(Buffer.from([0x88, 0x25])) || exif.includes(Buffer.from([0x25, 0x88]));
