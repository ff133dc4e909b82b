import { ApiProperty } from '@nestjs/swagger';
import { PhotoLink } from '../photos.service';

/** A photo the patient sent, with a short-lived signed link to it (each opening is audited as a read). */
export class PhotoLinkDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The answer it came with' }) responseId: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The MMS it came in, when it did' }) messageId: string | null;
  @ApiProperty({ enum: ['form', 'mms'] }) source: 'form' | 'mms';
  @ApiProperty({ description: '1-3, in the order sent' }) position: number;
  @ApiProperty({ enum: ['image/jpeg'], description: 'What the link serves: every photo is re-encoded (no EXIF, no location)' }) contentType: 'image/jpeg';
  @ApiProperty({ enum: ['image/jpeg', 'image/png', 'image/heic'], description: 'What the patient sent, from its bytes' }) originalType: string;
  @ApiProperty() width: number;
  @ApiProperty() height: number;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: Date;
  @ApiProperty({ description: 'Relative signed link (GET, no credential needed); works until expiresAt for the staff member it was made for' }) url: string;
  @ApiProperty({ type: String, format: 'date-time' }) expiresAt: Date;
}

export function toPhotoLinkDto(l: PhotoLink): PhotoLinkDto {
  return {
    id: l.id,
    responseId: l.responseId,
    messageId: l.messageId,
    source: l.source,
    position: l.position,
    contentType: l.contentType,
    originalType: l.originalType,
    width: l.width,
    height: l.height,
    createdAt: l.createdAt,
    url: l.url,
    expiresAt: l.expiresAt,
  };
}
