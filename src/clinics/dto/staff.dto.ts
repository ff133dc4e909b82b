import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsNewPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../common/password-policy';
import { IsE164 } from '../../common/validators';
import { STAFF_ROLES, StaffRole } from '../../common/roles';

export class CreateStaffDto {
  @ApiProperty() @IsEmail({}, { message: 'email must be an email address' }) email: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) name: string;
  @ApiProperty({ enum: STAFF_ROLES }) @IsIn(STAFF_ROLES) role: StaffRole;
  @ApiProperty({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, description: 'Not one of the 10,000 most common passwords, nor the email or name' })
  @IsString() @IsNewPassword()
  password: string;
  @ApiPropertyOptional({ description: 'E.164 phone for urgent alerts', example: '+447700900123' })
  @IsOptional() @IsE164()
  phone?: string;
  @ApiPropertyOptional({ description: 'true: the password is a temporary one they must change at their first sign-in (an invitation)' })
  @IsOptional() @IsBoolean()
  mustChangePassword?: boolean;
}

/** What an admin changes about a staff member of their clinic. */
export class UpdateStaffDto {
  @ApiPropertyOptional({ enum: STAFF_ROLES }) @IsOptional() @IsIn(STAFF_ROLES) role?: StaffRole;
  @ApiPropertyOptional({ description: 'false deactivates (signs them out everywhere at once); true reactivates' })
  @IsOptional() @IsBoolean()
  active?: boolean;
  @ApiPropertyOptional({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, description: 'A temporary password they must change at their next sign-in' })
  @IsOptional() @IsString()
  temporaryPassword?: string;
}

export class StaffDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) clinicId: string;
  @ApiProperty() email: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: STAFF_ROLES }) role: StaffRole;
  @ApiProperty({ nullable: true, type: String }) phone: string | null;
  @ApiProperty() active: boolean;
  @ApiProperty() mustChangePassword: boolean;
  @ApiProperty({ nullable: true, type: Date }) lastSignInAt: Date | null;
  @ApiProperty() createdAt: Date;
}

export class StaffListDto {
  @ApiProperty({ type: [StaffDto] }) items: StaffDto[];
}

/** A colleague as every staff member of the clinic may see them: no email, phone or sign-in data. */
export class StaffDirectoryEntryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: STAFF_ROLES }) role: StaffRole;
  @ApiProperty({ description: 'May be assigned flags and cases (practitioners and admins)' }) assignable: boolean;
}

export class StaffDirectoryDto {
  @ApiProperty({ type: [StaffDirectoryEntryDto], description: "The active staff of the caller's clinic, by name" }) items: StaffDirectoryEntryDto[];
}
