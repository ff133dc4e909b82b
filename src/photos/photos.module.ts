import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { createPhotoStore } from './photo-store';
import { PhotosController } from './photos.controller';
import { ResponsePhoto } from './photo.entity';
import { PhotosRepository } from './photos.repository';
import { PHOTO_STORE, PhotosService } from './photos.service';

/** Photos with answers; a leaf module (audit and config only) so responses, flags and patient rights can all use it. */
@Module({
  imports: [TypeOrmModule.forFeature([ResponsePhoto])],
  controllers: [PhotosController],
  providers: [{ provide: PHOTO_STORE, inject: [APP_CONFIG], useFactory: (c: AppConfig) => createPhotoStore(c.photoStorage) }, PhotosService, PhotosRepository],
  exports: [PhotosService],
})
export class PhotosModule {}
