import { Controller, ForbiddenException, GoneException, Get, NotFoundException, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response as ExpressResponse } from 'express';
import { ApiErrorResponses } from '../common/api-responses';
import { Public } from '../common/principal';
import { PhotosService } from './photos.service';

@ApiTags('photos')
@Controller('v1/photos')
export class PhotosController {
  constructor(private readonly photos: PhotosService) {}

  /**
   * A patient's photo through a signed link from the flag or timeline API. The link is the
   * credential (an <img> sends no bearer token): it names the photo, its clinic and the staff
   * member it was made for, and expires after a few minutes. Every opening is audited as a read.
   */
  @Public()
  @Get(':id')
  @ApiQuery({ name: 'c', description: 'Clinic id (signed)' })
  @ApiQuery({ name: 'a', description: 'Viewer (signed)' })
  @ApiQuery({ name: 'e', description: 'Expiry, seconds since the epoch (signed)' })
  @ApiQuery({ name: 's', description: 'Signature' })
  @ApiOkResponse({ description: 'The re-encoded JPEG', content: { 'image/jpeg': { schema: { type: 'string', format: 'binary' } } } })
  @ApiErrorResponses(400, 403, 404, 410)
  async get(@Param('id', new ParseUUIDPipe({ version: '4' })) id: string, @Query() query: Record<string, unknown>, @Res() res: ExpressResponse): Promise<void> {
    const out = await this.photos.view(id, query);
    if (out.state === 'invalid') throw new ForbiddenException('This photo link is not valid: open the photo again from the flag or timeline');
    if (out.state === 'expired') throw new GoneException('This photo link has expired: open the photo again from the flag or timeline');
    if (out.state !== 'ok') throw new NotFoundException('This photo is no longer held (the patient may have been erased)');
    res
      .status(200)
      .set({ 'Content-Type': 'image/jpeg', 'Cache-Control': 'private, no-store', 'Content-Disposition': `inline; filename="photo-${id}.jpg"`, 'Cross-Origin-Resource-Policy': 'same-origin' })
      .send(out.bytes);
  }
}
