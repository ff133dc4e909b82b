import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'admin@demo.clinic' })
  @IsEmail({}, { message: 'email must be an email address' })
  email: string;

  @ApiProperty()
  @IsString() @MinLength(1) @MaxLength(200)
  password: string;
}

export class CreateApiKeyDto {
  @ApiProperty({ description: 'The integration this key is for, e.g. "booking-system"', example: 'booking-system' })
  @IsString() @MinLength(1) @MaxLength(100)
  name: string;
}
