import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { createPhotoStore } from './photo-store';
import { PhotosController } from './photos.controller';
import { PHOTO_STORE, PhotosService } from './photos.service';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ResponsePhoto } from './photo.entity';

/** Photos with answers; a leaf module (audit and config only) so responses, flags and patient rights can all use it. */
@Module({
  imports: [TypeOrmModule.forFeature([ResponsePhoto])],
  controllers: [PhotosController],
  providers: [{ provide: PHOTO_STORE, inject: [APP_CONFIG], useFactory: (c: AppConfig) => createPhotoStore(c.photoStorage) }, PhotosService],
  exports: [PhotosService],
})
export class PhotosModule {}
