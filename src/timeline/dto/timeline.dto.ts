import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { CHECK_IN_STATUSES } from '../../check-ins/check-in-status';
import { FLAG_EVENT_KINDS } from '../../flags/flag-event.entity';
import { FLAG_OUTCOMES, FLAG_PRIORITIES, FLAG_STATUSES } from '../../flags/flag.entity';
import { MessagePurpose, MessageStatus } from '../../messaging/message.entity';
import { CHANNELS } from '../../patients/patient.entity';
import { MAX_SEVERITY, SYMPTOMS, WARNING_SIGNS } from '../../protocols/questions';
import { TimelineItem, TimelineType } from '../timeline.service';
import { PhotoLinkDto, toPhotoLinkDto } from '../../photos/dto/photo.dto';
import type { PhotoLink } from '../../photos/photos.service';

const MESSAGE_PURPOSES: MessagePurpose[] = ['check_in', 'reminder', 'safety_advice', 'clarification', 'staff_alert', 'consent_reply', 'aftercare_instructions', 'reply'];
const MESSAGE_STATUSES: MessageStatus[] = ['queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'cancelled', 'received'];
const at = { type: String, format: 'date-time' } as const;
const maybeAt = { type: String, format: 'date-time', nullable: true } as const;
const maybeId = { type: String, format: 'uuid', nullable: true } as const;

abstract class TimelineItemBase {
  @ApiProperty({ ...at, description: 'When it happened; items are in this order' }) at: string;
  @ApiProperty({ format: 'uuid' }) id: string;
}

export class TimelineTreatmentDto extends TimelineItemBase {
  @ApiProperty({ enum: ['treatment'] }) type: 'treatment';
  @ApiProperty() procedure: string;
  @ApiProperty() indication: string;
  @ApiProperty({ type: [String] }) bodyAreas: string[];
  @ApiProperty() product: string;
  @ApiProperty({ type: String, nullable: true }) lotNumber: string | null;
  @ApiProperty({ enum: ['manual', 'injector_gun'], nullable: true }) technique: string | null;
  @ApiProperty({ description: 'Sessions of one procedure and protocol key form a course' }) protocolKey: string;
  @ApiProperty() protocolVersion: number;
  @ApiProperty({ enum: ['active', 'cancelled'] }) status: string;
  @ApiProperty(maybeAt) cancelledAt: string | null;
  @ApiProperty({ type: String, nullable: true }) cancelReason: string | null;
}

export class TimelineCheckInDto extends TimelineItemBase {
  @ApiProperty({ enum: ['check_in'] }) type: 'check_in';
  @ApiProperty({ format: 'uuid' }) treatmentId: string;
  @ApiProperty() step: number;
  @ApiProperty() dayOffset: number;
  @ApiProperty({ enum: CHECK_IN_STATUSES }) status: string;
  @ApiProperty({ enum: CHANNELS, nullable: true }) channel: string | null;
  @ApiProperty(at) dueAt: string;
  @ApiProperty(maybeAt) sentAt: string | null;
  @ApiProperty(maybeAt) answeredAt: string | null;
}

export class TimelineScoresDto {
  @ApiProperty({ type: Number, nullable: true, minimum: 0, maximum: MAX_SEVERITY }) bruising: number | null;
  @ApiProperty({ type: Number, nullable: true, minimum: 0, maximum: MAX_SEVERITY }) redness: number | null;
  @ApiProperty({ type: Number, nullable: true, minimum: 0, maximum: MAX_SEVERITY }) itching: number | null;
  @ApiProperty({ type: Number, nullable: true, minimum: 0, maximum: MAX_SEVERITY }) burning: number | null;
  @ApiProperty({ type: Number, nullable: true, minimum: 0, maximum: MAX_SEVERITY }) pain: number | null;
}

export class TimelineResponseDto extends TimelineItemBase {
  @ApiProperty({ enum: ['response'] }) type: 'response';
  @ApiProperty({ format: 'uuid' }) treatmentId: string;
  @ApiProperty(maybeId) checkInId: string | null;
  @ApiProperty({ enum: ['form', 'sms'] }) source: string;
  @ApiProperty() daySinceTreatment: number;
  @ApiProperty({ type: TimelineScoresDto }) scores: TimelineScoresDto;
  @ApiProperty({ enum: WARNING_SIGNS, isArray: true }) warningSigns: string[];
  @ApiProperty({ description: 'The patient wrote something (the text itself is not in the timeline)' }) hasFreeText: boolean;
  @ApiProperty({ type: [PhotoLinkDto], description: 'Photos sent with the answer, as short-lived signed links' }) photos: PhotoLinkDto[];
}

export class TimelineMessageDto extends TimelineItemBase {
  @ApiProperty({ enum: ['message'] }) type: 'message';
  @ApiProperty(maybeId) checkInId: string | null;
  @ApiProperty({ enum: ['out', 'in'] }) direction: string;
  @ApiProperty({ enum: CHANNELS }) channel: string;
  @ApiProperty({ enum: MESSAGE_PURPOSES }) purpose: string;
  @ApiProperty({ enum: MESSAGE_STATUSES }) status: string;
  @ApiPropertyOptional({ type: [PhotoLinkDto], description: 'Only on an MMS whose photos are not part of an answer (an answer\'s photos are on the answer)' }) photos?: PhotoLinkDto[];
}

export class TimelineFlagStepDto {
  @ApiProperty(at) at: string;
  @ApiProperty({ enum: FLAG_EVENT_KINDS }) kind: string;
}

export class TimelineFlagDto extends TimelineItemBase {
  @ApiProperty({ enum: ['flag'] }) type: 'flag';
  @ApiProperty(maybeId) treatmentId: string | null;
  @ApiProperty(maybeId) responseId: string | null;
  @ApiProperty() ruleId: string;
  @ApiProperty({ enum: FLAG_PRIORITIES }) priority: string;
  @ApiProperty() reason: string;
  @ApiProperty({ enum: FLAG_STATUSES }) status: string;
  @ApiProperty({ enum: FLAG_OUTCOMES, nullable: true }) outcome: string | null;
  @ApiProperty(maybeId) assigneeId: string | null;
  @ApiProperty({ type: [TimelineFlagStepDto] }) history: TimelineFlagStepDto[];
}

export type TimelineItemDto = TimelineTreatmentDto | TimelineCheckInDto | TimelineResponseDto | TimelineMessageDto | TimelineFlagDto;

const ITEM_CLASSES = { treatment: TimelineTreatmentDto, check_in: TimelineCheckInDto, response: TimelineResponseDto, message: TimelineMessageDto, flag: TimelineFlagDto };

/** Summaries of a patient's course in time order (no message bodies, addresses, phone numbers or free text). */
@ApiExtraModels(...Object.values(ITEM_CLASSES))
export class TimelineDto {
  @ApiProperty({
    type: 'array',
    items: {
      oneOf: Object.values(ITEM_CLASSES).map((c) => ({ $ref: getSchemaPath(c) })),
      discriminator: { propertyName: 'type', mapping: Object.fromEntries(Object.entries(ITEM_CLASSES).map(([k, c]) => [k, getSchemaPath(c)])) },
    },
  })
  items: TimelineItemDto[];
}

/** The summary fields of each kind of item: anything else an item may carry stays behind. */
const FIELDS: Record<TimelineType, string[]> = {
  treatment: ['procedure', 'indication', 'bodyAreas', 'product', 'lotNumber', 'technique', 'protocolKey', 'protocolVersion', 'status', 'cancelledAt', 'cancelReason'],
  check_in: ['treatmentId', 'step', 'dayOffset', 'status', 'channel', 'dueAt', 'sentAt', 'answeredAt'],
  response: ['treatmentId', 'checkInId', 'source', 'daySinceTreatment', 'scores', 'warningSigns', 'hasFreeText', 'photos'],
  message: ['checkInId', 'direction', 'channel', 'purpose', 'status', 'photos'],
  flag: ['treatmentId', 'responseId', 'ruleId', 'priority', 'reason', 'status', 'outcome', 'assigneeId', 'history'],
};

export function toTimelineItemDto(item: TimelineItem): TimelineItemDto {
  const out: Record<string, unknown> = { at: item.at, type: item.type, id: item.id };
  for (const f of FIELDS[item.type]) out[f] = item[f];
  if (item.type === 'response') {
    const scores = item.scores as Record<string, number | null>;
    out.scores = Object.fromEntries(SYMPTOMS.map((s) => [s, scores[s]]));
  }
  if (item.type === 'response') out.photos = ((item.photos as PhotoLink[] | undefined) ?? []).map(toPhotoLinkDto);
  if (item.type === 'message') {
    const photos = (item.photos as PhotoLink[] | undefined) ?? [];
    if (photos.length) out.photos = photos.map(toPhotoLinkDto);
    else delete out.photos;
  }
  if (item.type === 'flag') out.history = (item.history as Array<{ at: string; kind: string }>).map((e) => ({ at: e.at, kind: e.kind }));
  return out as unknown as TimelineItemDto;
}

export function toTimelineDto(t: { items: TimelineItem[] }): TimelineDto {
  return { items: t.items.map(toTimelineItemDto) };
}
