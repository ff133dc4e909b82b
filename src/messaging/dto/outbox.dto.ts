import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQuery } from '../../common/pagination';

export class OutboxQuery extends PageQuery {}

/** One message kept in the dev outbox: what would have gone out. */
export class OutboxMessageDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ enum: ['sms', 'email'] }) channel: string;
  @ApiProperty({ example: 'check_in' }) purpose: string;
  @ApiProperty({ description: 'Phone number or email address it was for' }) to: string;
  @ApiPropertyOptional({ nullable: true, type: String }) from: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) subject: string | null;
  @ApiProperty({ description: 'The text as it would have been sent, links included' }) text: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) patientId: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) checkInId: string | null;
}

export class OutboxPageDto {
  @ApiProperty({ type: [OutboxMessageDto] }) items: OutboxMessageDto[];
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
}
