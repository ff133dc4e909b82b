import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsE164 } from '../../common/validators';
import { STAFF_ROLES, StaffRole } from '../staff-user.entity';

export class CreateStaffDto {
  @ApiProperty() @IsEmail({}, { message: 'email must be an email address' }) email: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) name: string;
  @ApiProperty({ enum: STAFF_ROLES }) @IsIn(STAFF_ROLES) role: StaffRole;
  @ApiProperty({ minLength: 12 })
  @IsString() @MinLength(12, { message: 'password must be at least 12 characters' }) @MaxLength(200)
  password: string;
  @ApiPropertyOptional({ description: 'E.164 phone for urgent alerts', example: '+447700900123' })
  @IsOptional() @IsE164()
  phone?: string;
}
