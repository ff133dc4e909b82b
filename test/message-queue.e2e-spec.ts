import { MessageQueue } from '../src/messaging/message-queue.service';
import { MessagingService } from '../src/messaging/messaging.service';
import { appSuite, TestApp } from './support/app';
import { newClinic, newEmail, TestClinic } from './support/factories';

/** `count` staff alerts queued for the clinic by email, one per new address; their addresses. */
async function queueAlerts(t: TestApp, c: TestClinic, count: number): Promise<string[]> {
  const to = Array.from({ length: count }, () => newEmail('staff'));
  await t.db.transaction(async (tx) => {
    for (const address of to) {
      await t.get(MessagingService).enqueue(tx, { clinicId: c.clinic.id, channel: 'email', purpose: 'staff_alert', to: address, subject: 'Alert', text: 'A patient needs a call' });
    }
  });
  return to;
}

const messagesOf = async (t: TestApp, c: TestClinic) =>
  (await t.db.query(`SELECT id, to_address AS "to", status, attempts, next_attempt_at AS "nextAttemptAt" FROM messages WHERE clinic_id = $1 ORDER BY to_address`, [c.clinic.id])) as Array<{
    id: string;
    to: string;
    status: string;
    attempts: number;
    nextAttemptAt: Date | null;
  }>;

const actionsOf = async (t: TestApp, c: TestClinic) =>
  ((await t.db.query(`SELECT action, entity_id AS "entityId" FROM audit_events WHERE clinic_id = $1 AND entity_type = 'message' ORDER BY clinic_seq`, [c.clinic.id])) as Array<{
    action: string;
    entityId: string;
  }>);

const receivedBy = (t: TestApp, address: string) => t.smtp.received.filter((m) => m.envelopeTo.map((a) => a.toLowerCase()).includes(address.toLowerCase()));

describe('the message queue delivers a batch', () => {
  const suite = appSuite({ start: '2026-03-02T10:00:00Z' });

  it('one recipient refused in a batch: the others are sent, the refused one fails, each audited once', async () => {
    const { t } = suite;
    const c = await newClinic(t);
    const to = await queueAlerts(t, c, 6);
    t.smtp.rejectRecipients.add(to[2].toLowerCase());
    expect(await t.get(MessageQueue).deliverDue(50)).toBeGreaterThanOrEqual(6);
    const rows = await messagesOf(t, c);
    expect(rows.filter((m) => m.status === 'failed').map((m) => m.to)).toEqual([to[2]]);
    expect(rows.filter((m) => m.status !== 'failed').every((m) => m.status === 'sent' && m.attempts === 1)).toBe(true);
    for (const address of to) expect(receivedBy(t, address)).toHaveLength(address === to[2] ? 0 : 1);
    const actions = await actionsOf(t, c);
    const failed = rows.find((m) => m.status === 'failed')!;
    expect(actions.filter((a) => a.entityId === failed.id).map((a) => a.action)).toEqual(['message.failed']);
    expect(actions.filter((a) => a.action === 'message.sent')).toHaveLength(5);
    // Nothing is left to deliver, and nothing is sent twice.
    await t.get(MessageQueue).deliverDue(50);
    for (const address of to) expect(receivedBy(t, address)).toHaveLength(address === to[2] ? 0 : 1);
  });

  it('a transient failure in a batch is retried with backoff, alone, and every message arrives exactly once', async () => {
    const { t } = suite;
    const c = await newClinic(t);
    const to = await queueAlerts(t, c, 5);
    t.smtp.failNext = { count: 1, code: 451 };
    await t.get(MessageQueue).deliverDue(50);
    const rows = await messagesOf(t, c);
    const retried = rows.filter((m) => m.status === 'queued');
    expect(retried).toHaveLength(1);
    expect(rows.filter((m) => m.status === 'sent')).toHaveLength(4);
    const wait = new Date(retried[0].nextAttemptAt!).getTime() - t.clock.now().getTime();
    expect(wait).toBeGreaterThanOrEqual(15_000);
    expect(wait).toBeLessThanOrEqual(30_000);
    // Not before its backoff has passed.
    await t.get(MessageQueue).deliverDue(50);
    expect((await messagesOf(t, c)).filter((m) => m.status === 'queued')).toHaveLength(1);
    t.clock.advance(wait);
    await t.get(MessageQueue).deliverDue(50);
    const after = await messagesOf(t, c);
    expect(after.every((m) => m.status === 'sent')).toBe(true);
    expect(after.find((m) => m.id === retried[0].id)!.attempts).toBe(2);
    for (const address of to) expect(receivedBy(t, address)).toHaveLength(1);
    const actions = (await actionsOf(t, c)).filter((a) => a.entityId === retried[0].id).map((a) => a.action);
    expect(actions).toEqual(['message.retry_scheduled', 'message.sent']);
  });

  it('more due than one batch: each delivery pass takes at most its limit', async () => {
    const { t } = suite;
    const c = await newClinic(t);
    const to = await queueAlerts(t, c, 7);
    const queue = t.get(MessageQueue);
    expect(await queue.deliverDue(3)).toBe(3);
    expect(await queue.deliverDue(3)).toBe(3);
    expect(await queue.deliverDue(3)).toBe(1);
    expect((await messagesOf(t, c)).every((m) => m.status === 'sent')).toBe(true);
    for (const address of to) expect(receivedBy(t, address)).toHaveLength(1);
  });
});
