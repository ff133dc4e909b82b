import { ApiProperty } from '@nestjs/swagger';
import { smsClinicName } from '../../protocols/texts';
import { Clinic } from '../clinic.entity';

export class EscalationDefaultsDto {
  @ApiProperty({ example: 30 }) urgentAfterMinutes: number;
  @ApiProperty({ example: 24 }) highAfterHours: number;
}

/** The caller's clinic's settings. */
export class ClinicDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ example: 'Europe/Madrid' }) timeZone: string;
  @ApiProperty({ type: String, nullable: true, description: 'E.164; shown to patients in HELP replies and safety advice' }) phone: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'SMS sender: E.164 number or messaging service SID; null: TWILIO_FROM' }) smsFrom: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Email sender address; null: EMAIL_FROM' }) emailFrom: string | null;
  @ApiProperty({ type: String, nullable: true, description: "How patients' SMS name the clinic; null: made from the name" }) smsName: string | null;
  @ApiProperty({ type: String, description: "The name patients' SMS use now (smsName, or the name made short and plain)" }) smsNameInUse: string;
  @ApiProperty({ enum: ['en', 'de', 'fr', 'es'], description: 'The language staff alerts and escalations are written in' }) staffLocale: string;
  @ApiProperty({ example: '09:00', description: 'Local time (HH:mm) messages to patients may start' }) sendWindowStart: string;
  @ApiProperty({ example: '20:00', description: 'Local time (HH:mm) they stop' }) sendWindowEnd: string;
  @ApiProperty({ type: Number, nullable: true, description: "The clinic's own delay for urgent flags, in minutes; null: the service's default" }) escalateUrgentAfterMinutes: number | null;
  @ApiProperty({ type: Number, nullable: true, description: "The clinic's own delay for high flags, in hours; null: the service's default" }) escalateHighAfterHours: number | null;
  @ApiProperty({ type: EscalationDefaultsDto, description: 'The service-wide delays that apply where the clinic has none of its own' }) escalationDefaults: EscalationDefaultsDto;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: Date;
}

export function toClinicDto(c: Clinic, defaults: EscalationDefaultsDto): ClinicDto {
  return {
    id: c.id,
    name: c.name,
    timeZone: c.timeZone,
    phone: c.phone,
    smsFrom: c.smsFrom,
    emailFrom: c.emailFrom,
    smsName: c.smsName ?? null,
    smsNameInUse: smsClinicName(c),
    staffLocale: c.staffLocale ?? 'en',
    sendWindowStart: c.sendWindowStart,
    sendWindowEnd: c.sendWindowEnd,
    escalateUrgentAfterMinutes: c.escalateUrgentAfterMinutes ?? null,
    escalateHighAfterHours: c.escalateHighAfterHours ?? null,
    escalationDefaults: { urgentAfterMinutes: defaults.urgentAfterMinutes, highAfterHours: defaults.highAfterHours },
    createdAt: c.createdAt,
  };
}
