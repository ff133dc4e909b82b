/**
 * Provider error text names the recipient (Twilio: "The 'To' number +34… is not a valid phone
 * number"; SMTP: "<ana@…>: Recipient address rejected"). What leaves an adapter is masked:
 * email addresses and phone-like digit runs (7 or more digits), so error codes survive.
 */
export function redactContacts(text: string): string {
  return text
    .replace(/[^\s<>"'(),;:[\]]+@[^\s<>"'(),;:[\]]+/g, '[email]')
    .replace(/\+?\(?\d(?:[\s().-]{0,2}\d){6,}/g, '[phone]');
}

/** A redacted one-line summary of a provider's error, short enough for a column or a log line. */
export function errorSummary(text: string | null | undefined, max = 300): string {
  const flat = redactContacts(String(text ?? '').replace(/\s+/g, ' ').trim());
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
