import { ApiProperty } from '@nestjs/swagger';

export class LiveChannelsDto {
  @ApiProperty({ enum: ['smtp', 'outbox', 'off'] }) email: 'smtp' | 'outbox' | 'off';
  @ApiProperty({ enum: ['twilio', 'outbox', 'off'] }) sms: 'twilio' | 'outbox' | 'off';
}

/** Readiness with each part named in words ("up", "applied (23)", "smtp verified", …). */
export class HealthDto {
  @ApiProperty({ enum: ['ok'] }) status: 'ok';
  @ApiProperty({ example: 'up' }) database: string;
  @ApiProperty({ example: 'applied (23)' }) migrations: string;
  @ApiProperty({ example: 'smtp verified' }) email: string;
  @ApiProperty({ example: 'twilio configured' }) sms: string;
  @ApiProperty({ type: LiveChannelsDto, description: "Which channels are live: 'off' means nothing is planned or sent on it" }) channels: LiveChannelsDto;
}

export class LiveDto {
  @ApiProperty({ enum: ['ok'] }) status: 'ok';
}
