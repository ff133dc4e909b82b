import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { queryRows } from '../database/query-rows';
import { Message, MessageChannel } from '../messaging/message.entity';

/**
 * Decides which inbound texts are stored: each provider message once (a webhook retried by the
 * provider stores nothing new), with its audit event; and reads a patient's recent texts back.
 * Inbound texts share the messages table with outbound ones (direction 'in'); messaging itself
 * is outbound only.
 */
@Injectable()
export class InboundMessages {
  constructor(
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Stores an inbound message once per provider id (its id back); null when it was seen before. */
  async record(
    tx: EntityManager,
    input: { clinicId: string; patientId: string | null; channel: MessageChannel; providerId: string; from: string; to: string; text: string },
  ): Promise<Pick<Message, 'id'> | null> {
    const now = this.clock.now();
    const inserted = await queryRows<{ id: string }>(
      tx,
      `INSERT INTO messages (clinic_id, patient_id, direction, channel, transport, purpose, to_address, from_address, body, provider_id, status, created_at, updated_at)
       VALUES ($1, $2, 'in', $3, 'twilio', 'reply', $4, $5, $6, $7, 'received', $8, $8)
       ON CONFLICT (provider_id) DO NOTHING RETURNING id`,
      [input.clinicId, input.patientId, input.channel, input.to, input.from, input.text, input.providerId, now],
    );
    if (!inserted.length) return null;
    await this.audit.record(tx, {
      clinicId: input.clinicId,
      actor: input.patientId ? { type: 'patient', id: input.patientId } : { type: 'provider', id: 'twilio' },
      action: 'message.received',
      entityType: 'message',
      entityId: inserted[0].id,
      data: { channel: input.channel, patientId: input.patientId },
    });
    // The caller needs the id only: no second read of the row just written.
    return { id: inserted[0].id };
  }

  /** The bodies of a patient's inbound texts on a channel since a time, oldest first, read in the caller's transaction. */
  async textsSince(tx: EntityManager, input: { clinicId: string; patientId: string; channel: MessageChannel; since: Date; except?: string }): Promise<string[]> {
    const rows = await queryRows<{ body: string }>(
      tx,
      `SELECT body FROM messages
        WHERE clinic_id = $1 AND patient_id = $2 AND direction = 'in' AND channel = $3 AND created_at >= $4 AND ($5::uuid IS NULL OR id <> $5::uuid)
        ORDER BY created_at ASC`,
      [input.clinicId, input.patientId, input.channel, input.since, input.except ?? null],
    );
    return rows.map((r) => r.body);
  }
}
