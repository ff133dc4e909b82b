/**
 * How many SMS segments a text costs (3GPP TS 23.038 / 23.040). A text in the GSM 03.38
 * default alphabet goes as 7-bit septets, 160 in one segment or 153 per segment once split
 * (the rest carries the concatenation header); anything else goes as UCS-2, 70 UTF-16 code
 * units in one segment or 67 per segment. National language shift tables are not used:
 * Twilio and most carriers do not send them.
 */

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsSegments {
  encoding: SmsEncoding;
  segments: number;
  /** Septets for GSM-7 (an extension character counts 2), UTF-16 code units for UCS-2. */
  units: number;
}

/** The GSM 03.38 default alphabet, in table order (0x00–0x7F; 0x1B, the escape, left out). */
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);

/** The extension table: each costs the escape septet plus its own. */
const GSM_EXTENSION = new Set('\f^{}\\[~]|€');

const GSM_SINGLE = 160;
const GSM_PART = 153;
const UCS2_SINGLE = 70;
const UCS2_PART = 67;

/** Septets one character takes in GSM-7, or null when GSM-7 cannot carry it. */
function septets(char: string): 1 | 2 | null {
  if (GSM_BASIC.has(char)) return 1;
  if (GSM_EXTENSION.has(char)) return 2;
  return null;
}

export function isGsm7(text: string): boolean {
  for (const char of text) if (septets(char) === null) return false;
  return true;
}

export function smsSegments(text: string): SmsSegments {
  const chars = Array.from(text);
  if (chars.every((c) => septets(c) !== null)) {
    return count('GSM-7', chars.map((c) => septets(c)!), GSM_SINGLE, GSM_PART);
  }
  return count('UCS-2', chars.map((c) => c.length), UCS2_SINGLE, UCS2_PART);
}

/**
 * Senders never split an escape sequence or a surrogate pair across two segments, so a
 * long text is packed character by character rather than divided by the unit count.
 */
function count(encoding: SmsEncoding, sizes: number[], single: number, part: number): SmsSegments {
  const units = sizes.reduce((a, b) => a + b, 0);
  if (units <= single) return { encoding, segments: 1, units };
  let segments = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > part) {
      segments++;
      used = 0;
    }
    used += size;
  }
  return { encoding, segments, units };
}

/** Single letters outside GSM-7 that decomposition does not reduce to one inside it. */
const GSM_LOOKALIKES: Record<string, string> = {
  ł: 'l', Ł: 'L', ı: 'i', đ: 'd', Đ: 'D', ħ: 'h', œ: 'oe', Œ: 'OE', ð: 'd', þ: 'th', Þ: 'Th',
  '\u2018': "'", '\u2019': "'", '\u201A': "'", '\u201C': '"', '\u201D': '"', '\u201E': '"', '«': '"', '»': '"',
  '\u2013': '-', '\u2014': '-', '\u2026': '...', '\u00A0': ' ', '\u202F': ' ',
};

/**
 * The text with letters outside GSM-7 replaced by their plain look-alikes (í → i, ł → l),
 * when that makes the whole text GSM-7; otherwise the text unchanged. Letters GSM-7 has
 * (é, ñ, ü, ß) are kept. UCS-2 costs two to three times the segments, so an SMS with one
 * stray accent, often a patient's name, would otherwise cost several times as much.
 */
export function toGsm7IfPossible(text: string): string {
  if (isGsm7(text)) return text;
  let out = '';
  for (const char of text) {
    if (septets(char) !== null) {
      out += char;
      continue;
    }
    const plain = GSM_LOOKALIKES[char] ?? char.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    if (!plain || !isGsm7(plain)) return text;
    out += plain;
  }
  return out;
}
