import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MmsIntake } from './mms-intake.service';
import { MmsIntakeRepository } from './mms-intake.repository';
import { MmsMediaFetch } from './mms-media-fetch.entity';
import { createPhotoStore } from './photo-store';
import { PhotosController } from './photos.controller';
import { ResponsePhoto } from './photo.entity';
import { PhotosRepository } from './photos.repository';
import { PHOTO_STORE, PhotosService } from './photos.service';

/** Photos with answers; a leaf module (audit and config only) so responses, flags and patient rights can all use it. */
@Module({
  imports: [TypeOrmModule.forFeature([ResponsePhoto, MmsMediaFetch])],
  controllers: [PhotosController],
  providers: [{ provide: PHOTO_STORE, inject: [APP_CONFIG], useFactory: (c: AppConfig) => createPhotoStore(c.photoStorage) }, PhotosService, PhotosRepository, MmsIntake, MmsIntakeRepository],
  exports: [PhotosService, MmsIntake],
})
export class PhotosModule {}
