import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A flag escalates once per priority and per start of its clock, not once for ever: an urgent
 * report on a flag someone acknowledged takes it back to open and may need escalating again.
 */
export class EscalationPerRound1765800000000 implements MigrationInterface {
  name = 'EscalationPerRound1765800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS flag_events_escalated_once`);
    await q.query(`CREATE UNIQUE INDEX flag_events_escalated_once_per_round ON flag_events (flag_id, (data->>'priority'), (data->>'since')) WHERE kind = 'escalated'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS flag_events_escalated_once_per_round`);
    await q.query(`CREATE UNIQUE INDEX flag_events_escalated_once ON flag_events (flag_id, (data->>'priority')) WHERE kind = 'escalated'`);
  }
}
