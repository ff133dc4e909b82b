import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import { CheckIn } from '../check-ins/check-in.entity';
import { queryPrepared } from '../database/query-rows';
import { FlagEvent } from '../flags/flag-event.entity';
import { Flag } from '../flags/flag.entity';
import { Message } from '../messaging/message.entity';
import { Patient } from '../patients/patient.entity';
import { ResponsePhoto } from '../photos/photo.entity';
import { Response } from '../responses/response.entity';
import { Treatment } from '../treatments/treatment.entity';

/** The row type of each part of a patient's record. */
export interface RecordParts {
  patient: Patient;
  treatments: Treatment;
  checkIns: CheckIn;
  responses: Response;
  messages: Message;
  flags: Flag;
  /** The flags' history steps (each carries its flagId). */
  history: FlagEvent;
  photos: ResponsePhoto;
}

/** Which fields of each part to read (its entity's property names); a part not named is read whole. */
export type RecordFields = { readonly [K in keyof RecordParts]?: ReadonlyArray<keyof RecordParts[K] & string> };

/** Read whatever the fields name: every row's id, and a history step's flagId. */
const ALWAYS: { [K in keyof RecordParts]?: string[] } = { history: ['id', 'flagId'] };

type Picked<T, F, Always extends keyof T> = F extends ReadonlyArray<infer K> ? Pick<T, (K & keyof T) | Always> : T;

/** The record's rows under `F`: each part's named fields (and its id), or the whole row. */
export type RecordRows<F extends RecordFields> = {
  patient: Picked<Patient, F['patient'], 'id'> | null;
  history: Array<Picked<FlagEvent, F['history'], 'id' | 'flagId'>>;
} & { [K in Exclude<keyof RecordParts, 'patient' | 'history'>]: Array<Picked<RecordParts[K], F[K], 'id'>> };

/** A row with its timestamps as ISO 8601 strings in UTC, exactly as `Date#toISOString` writes them. */
export type IsoDates<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };
type IsoPart<V> = V extends Array<infer X> ? Array<IsoDates<X>> : V extends null ? null : IsoDates<V>;
/** The record's rows under `F` with every timestamp an ISO string (for a reader that only sends them on). */
export type IsoRecordRows<F extends RecordFields> = { [K in keyof RecordRows<F>]: IsoPart<RecordRows<F>[K]> };

/** `Date#toISOString`'s format from a timestamptz, in SQL (UTC, milliseconds, 'Z'). */
const ISO_FORMAT = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const TIMESTAMPTZ_TYPES = new Set<unknown>(['timestamptz', 'timestamp with time zone']);

/**
 * What a patient's record is, defined once: each part's table, which of its rows belong to the
 * patient (always within the clinic: $1 the clinic, $2 the patient) and their order. The timeline
 * and the access export both read it, so they cannot disagree on what "everything" is.
 */
const PARTS: { [K in keyof RecordParts]: { entity: EntityTarget<ObjectLiteral>; from: string; order?: string } } = {
  patient: { entity: Patient, from: 'patients x WHERE x.clinic_id = $1 AND x.id = $2' },
  treatments: { entity: Treatment, from: 'treatments x WHERE x.clinic_id = $1 AND x.patient_id = $2', order: 'x.performed_at' },
  checkIns: { entity: CheckIn, from: 'check_ins x WHERE x.clinic_id = $1 AND x.patient_id = $2', order: 'x.due_at, x.step' },
  responses: { entity: Response, from: 'responses x WHERE x.clinic_id = $1 AND x.patient_id = $2', order: 'x.received_at' },
  messages: { entity: Message, from: 'messages x WHERE x.clinic_id = $1 AND x.patient_id = $2', order: 'x.created_at' },
  flags: { entity: Flag, from: 'flags x WHERE x.clinic_id = $1 AND x.patient_id = $2', order: 'x.created_at' },
  history: {
    entity: FlagEvent,
    from: 'flag_events x JOIN flags f ON f.clinic_id = $1 AND f.id = x.flag_id AND f.patient_id = $2 WHERE x.clinic_id = $1',
    order: 'x.at, x.seq',
  },
  photos: { entity: ResponsePhoto, from: 'response_photos x WHERE x.clinic_id = $1 AND x.patient_id = $2', order: 'x.created_at, x.position' },
};

const TIMESTAMP_TYPES = new Set<unknown>(['timestamptz', 'timestamp with time zone', 'timestamp', 'timestamp without time zone', Date]);

/**
 * A read model of one patient's whole record across features (read only, within the clinic):
 * one statement, one round trip, each part by its by-patient index. Each part's rows come as
 * JSON objects under the entity's property names, built from the entities' own column metadata
 * (the columns TypeORM would select), so the rows are what the owners' entities hold; timestamps
 * become Dates again here.
 */
@Injectable()
export class PatientRecordRepository {
  private readonly statements = new Map<string, { sql: string; dates: Map<keyof RecordParts, string[]> }>();

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async read<F extends RecordFields>(clinicId: string, patientId: string, fields: F): Promise<RecordRows<F>> {
    return this.run(clinicId, patientId, fields, false) as Promise<RecordRows<F>>;
  }

  /**
   * The same rows with every timestamp as the ISO string `Date#toISOString` would write, made by
   * PostgreSQL: for a reader that only sends them on (the timeline), no Date is built and then
   * written back, and JSON.stringify keeps its fast path (Dates cost it 5× the time).
   */
  async readIso<F extends RecordFields>(clinicId: string, patientId: string, fields: F): Promise<IsoRecordRows<F>> {
    return this.run(clinicId, patientId, fields, true) as Promise<IsoRecordRows<F>>;
  }

  private async run(clinicId: string, patientId: string, fields: RecordFields, iso: boolean): Promise<unknown> {
    const { sql, dates } = this.statement(fields, iso);
    // A prepared statement: its text is fixed per field selection, and planning it was half its server time.
    const [row] = await queryPrepared<{ record: Record<keyof RecordParts, unknown> }>(this.db, sql, [clinicId, patientId]);
    const record = row!.record;
    for (const [part, keys] of dates) {
      const value = record[part];
      const rows = (Array.isArray(value) ? value : value ? [value] : []) as Array<Record<string, unknown>>;
      for (const r of rows) for (const k of keys) if (typeof r[k] === 'string') r[k] = new Date(r[k]);
    }
    return record;
  }

  /**
   * `SELECT json_build_object('patient', (SELECT row_to_json(y) FROM (SELECT x.id, x.clinic_id AS "clinicId", … FROM patients x WHERE …) y),
   * 'treatments', (SELECT coalesce(json_agg(y), '[]') FROM (SELECT … ORDER BY x.performed_at) y), …) AS record`:
   * json_agg keeps the order of its sorted subquery (a plain scan of it, nothing above to reorder).
   */
  private statement(fields: RecordFields, iso: boolean) {
    const key = JSON.stringify([fields, iso]);
    const cached = this.statements.get(key);
    if (cached) return cached;
    const dates = new Map<keyof RecordParts, string[]>();
    const parts = (Object.keys(PARTS) as Array<keyof RecordParts>).map((part) => {
      const { entity, from, order } = PARTS[part];
      const named = fields[part] as readonly string[] | undefined;
      const wanted = named && new Set([...(ALWAYS[part] ?? ['id']), ...named]);
      const columns = this.db.getMetadata(entity).columns.filter((c) => c.isSelect && (!wanted || wanted.has(c.propertyName)));
      if (wanted && columns.length !== wanted.size) throw new Error(`patient record: unknown fields of ${part}: ${named.join(', ')}`);
      // With `iso`, timestamptz columns come formatted; any other timestamp is made a Date as before.
      const formatted = (c: (typeof columns)[number]) => iso && TIMESTAMPTZ_TYPES.has(c.type);
      dates.set(part, columns.filter((c) => TIMESTAMP_TYPES.has(c.type) && !formatted(c)).map((c) => c.propertyName));
      const column = (c: (typeof columns)[number]) => (formatted(c) ? `to_char(x.${c.databaseName} AT TIME ZONE 'UTC', ${ISO_FORMAT})` : `x.${c.databaseName}`);
      const select = `SELECT ${columns.map((c) => `${column(c)} AS "${c.propertyName}"`).join(', ')} FROM ${from}`;
      const value = order ? `(SELECT coalesce(json_agg(y), '[]') FROM (${select} ORDER BY ${order}) y)` : `(SELECT row_to_json(y) FROM (${select}) y)`;
      return `'${part}', ${value}`;
    });
    const statement = { sql: `SELECT json_build_object(${parts.join(',\n  ')}) AS record`, dates };
    this.statements.set(key, statement);
    return statement;
  }
}
