import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../common/password-policy';
import { STAFF_ROLES, StaffRole } from '../../common/roles';
import { ErrorResponseDto } from '../../common/api-responses';

export class ChangePasswordDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) currentPassword: string;
  @ApiProperty({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, description: 'Not one of the 10,000 most common passwords, nor your email or name' })
  @IsString()
  newPassword: string;
}

export class SessionStaffDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) clinicId: string;
  @ApiProperty() clinicName: string;
  @ApiProperty() email: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: STAFF_ROLES }) role: StaffRole;
  @ApiProperty({ description: 'True after an admin set a temporary password: only POST /v1/auth/password (and GET/DELETE session) work until it is changed' })
  mustChangePassword: boolean;
}

export class SessionDto {
  @ApiProperty({ type: SessionStaffDto }) staff: SessionStaffDto;
  @ApiProperty({ description: 'Send as the X-CSRF-Token header with every POST/PUT/PATCH/DELETE made with the session cookie (also in the aftercare_csrf cookie)' })
  csrfToken: string;
}

export class LoginResponseDto {
  @ApiProperty({ description: 'Bearer JWT' }) accessToken: string;
  @ApiProperty({ description: 'Seconds until it expires' }) expiresIn: number;
  @ApiProperty() mustChangePassword: boolean;
}

export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) clinicId: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'The first characters of the key, to tell keys apart' }) keyPrefix: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) createdBy: string | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty({ nullable: true, type: Date }) revokedAt: Date | null;
}

export class ApiKeyListDto {
  @ApiProperty({ type: [ApiKeyDto] }) items: ApiKeyDto[];
}

export class CreatedApiKeyDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'The key itself: shown only in this answer' }) key: string;
  @ApiProperty() prefix: string;
  @ApiProperty() createdAt: Date;
}

export class ErrorDto {
  @ApiProperty() statusCode: number;
  @ApiProperty() error: string;
  @ApiPropertyOptional({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] }) message: string | string[];
}

export class ClinicChoiceItemDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
}

/** 409 from sign-in: the email and password open accounts at several clinics. */
export class ClinicChoiceDto extends ErrorResponseDto {
  @ApiProperty({ type: [ClinicChoiceItemDto], description: 'The clinics whose account this email and password open: sign in again with one of their ids as clinicId' })
  clinics: ClinicChoiceItemDto[];
}
