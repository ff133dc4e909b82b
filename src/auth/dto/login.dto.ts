import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'admin@demo.clinic' })
  @IsEmail({}, { message: 'email must be an email address' })
  email: string;

  @ApiProperty()
  @IsString() @MinLength(1) @MaxLength(200)
  password: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The clinic to sign in to. Needed only when the email and password open accounts at more than one clinic (the 409 answer lists them)',
  })
  @IsOptional()
  @IsUUID('all', { message: 'clinicId must be a clinic id (a UUID)' })
  clinicId?: string;
}

export class CreateApiKeyDto {
  @ApiProperty({ description: 'The integration this key is for, e.g. "booking-system"', example: 'booking-system' })
  @IsString() @MinLength(1) @MaxLength(100)
  name: string;
}
