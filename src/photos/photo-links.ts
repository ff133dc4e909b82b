import { createHmac, timingSafeEqual } from 'node:crypto';

/** How long a link to a photo works: long enough to open the flag, too short to pass around. */
export const PHOTO_LINK_TTL_SECONDS = 300;

export interface PhotoLinkClaims {
  photoId: string;
  clinicId: string;
  /** The staff member (or integration) the link was made for: the view is audited as theirs. */
  actorType: string;
  actorId: string;
  /** Seconds since the epoch. */
  expires: number;
}

/**
 * Short-lived signed links to photos: HMAC-SHA256 over the photo, its clinic, the viewer and the
 * expiry, with a key derived from JWT_SECRET (so every instance checks what another signed).
 * The link is the credential: an <img> tag sends no bearer token.
 */
export class PhotoLinks {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('aftercare photo links v1').digest();
  }

  sign(claims: PhotoLinkClaims): string {
    const q = new URLSearchParams({ c: claims.clinicId, a: `${claims.actorType}:${claims.actorId}`, e: String(claims.expires), s: this.mac(claims) });
    return `/v1/photos/${claims.photoId}?${q.toString()}`;
  }

  /** The claims of a link, or why it is refused ('invalid' or 'expired'). */
  verify(photoId: string, query: Record<string, unknown>, nowSeconds: number): PhotoLinkClaims | 'invalid' | 'expired' {
    const { c, a, e, s } = query;
    if (typeof c !== 'string' || typeof a !== 'string' || typeof e !== 'string' || typeof s !== 'string' || !/^\d{1,12}$/.test(e)) return 'invalid';
    const sep = a.indexOf(':');
    if (sep < 1) return 'invalid';
    const claims: PhotoLinkClaims = { photoId, clinicId: c, actorType: a.slice(0, sep), actorId: a.slice(sep + 1), expires: Number(e) };
    const expected = Buffer.from(this.mac(claims));
    const given = Buffer.from(s);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    if (claims.expires <= nowSeconds) return 'expired';
    return claims;
  }

  private mac(c: PhotoLinkClaims): string {
    return createHmac('sha256', this.key).update([c.photoId, c.clinicId, c.actorType, c.actorId, c.expires].join('\n')).digest('base64url');
  }
}
