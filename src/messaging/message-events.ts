import type { AuditEntry } from '../audit/audit.service';
import { SYSTEM } from '../common/actor';
import type { Message } from './message.entity';

/**
 * The audit event of what the service did to one outbound message (sent, retried, failed,
 * cancelled): the message's purpose, channel, check-in and patient, and what `data` adds. The
 * one place these events are built, for the dispatcher's rounds and the message queue alike.
 */
export function messageEvent(message: Message, action: string, data: Record<string, unknown>): AuditEntry {
  return {
    clinicId: message.clinicId,
    actor: SYSTEM,
    action,
    entityType: 'message',
    entityId: message.id,
    data: { purpose: message.purpose, channel: message.channel, checkInId: message.checkInId, patientId: message.patientId, ...data },
  };
}
