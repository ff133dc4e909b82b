import { ApiProperty } from '@nestjs/swagger';
import { Technique, TECHNIQUES, Treatment } from '../treatment.entity';

/** A treatment session as the API shows it. */
export class TreatmentDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) clinicId: string;
  @ApiProperty({ format: 'uuid' }) patientId: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) practitionerId: string | null;
  @ApiProperty({ type: String, nullable: true }) externalRef: string | null;
  @ApiProperty() procedure: string;
  @ApiProperty() indication: string;
  @ApiProperty({ type: [String] }) bodyAreas: string[];
  @ApiProperty() product: string;
  @ApiProperty({ type: String, nullable: true }) lotNumber: string | null;
  @ApiProperty({ enum: TECHNIQUES, nullable: true }) technique: Technique | null;
  @ApiProperty({ type: String, nullable: true }) formula: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) performedAt: Date;
  @ApiProperty({ format: 'uuid' }) protocolId: string;
  @ApiProperty() protocolVersion: number;
  @ApiProperty({ description: 'Sessions of one procedure and protocol key form a course' }) protocolKey: string;
  @ApiProperty({ enum: ['active', 'cancelled'] }) status: 'active' | 'cancelled';
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) cancelledAt: Date | null;
  @ApiProperty({ type: String, nullable: true }) cancelReason: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: Date;
}

export class CancelledTreatmentDto extends TreatmentDto {
  @ApiProperty({ description: 'Check-ins of this session that will no longer go out' }) cancelledCheckIns: number;
}

export function toTreatmentDto(t: Treatment): TreatmentDto {
  return {
    id: t.id,
    clinicId: t.clinicId,
    patientId: t.patientId,
    practitionerId: t.practitionerId,
    externalRef: t.externalRef,
    procedure: t.procedure,
    indication: t.indication,
    bodyAreas: t.bodyAreas,
    product: t.product,
    lotNumber: t.lotNumber,
    technique: t.technique,
    formula: t.formula,
    performedAt: t.performedAt,
    protocolId: t.protocolId,
    protocolVersion: t.protocolVersion,
    protocolKey: t.protocolKey,
    status: t.status,
    cancelledAt: t.cancelledAt,
    cancelReason: t.cancelReason,
    createdAt: t.createdAt,
  };
}

export function toCancelledTreatmentDto(t: Treatment & { cancelledCheckIns: number }): CancelledTreatmentDto {
  return { ...toTreatmentDto(t), cancelledCheckIns: t.cancelledCheckIns };
}
