/**
 * A temporary password the admin passes on: four groups of four letters and digits from the
 * browser's CSPRNG (about 82 bits), without look-alike characters. Long and random enough for the
 * service's policy (12+, not common, no runs); the service checks it again.
 */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

export function temporaryPassword(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  const chars = Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]);
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join('')).join('-');
}
