/** Decides what "everything held about a patient" is: the one list the timeline and the access export both read. */
import { Injectable, NotFoundException } from '@nestjs/common';
import { IsoRecordRows, RecordFields, RecordRows, PatientRecordRepository } from './patient-record.repository';

/** A patient's record under `F` (every field of every part by default), each part in its owner's order (oldest first); flags carry their history. */
export type PatientRecord<F extends RecordFields = Record<never, never>> = Omit<RecordRows<F>, 'patient' | 'flags' | 'history'> & {
  patient: NonNullable<RecordRows<F>['patient']>;
  flags: Array<RecordRows<F>['flags'][number] & { history: RecordRows<F>['history'] }>;
};

/** The same record with every timestamp an ISO string (`Date#toISOString`'s), for a reader that only sends them on. */
export type IsoPatientRecord<F extends RecordFields = Record<never, never>> = Omit<IsoRecordRows<F>, 'patient' | 'flags' | 'history'> & {
  patient: NonNullable<IsoRecordRows<F>['patient']>;
  flags: Array<IsoRecordRows<F>['flags'][number] & { history: IsoRecordRows<F>['history'] }>;
};

/**
 * Reads a patient's record in one statement (PatientRecordRepository, where the parts and
 * their rows are defined once): 404 for an unknown patient, also another clinic's. The export
 * reads every field; the timeline names the fields it shows, from the same rows.
 */
@Injectable()
export class PatientRecordReader {
  constructor(private readonly repo: PatientRecordRepository) {}

  async read<F extends RecordFields = Record<never, never>>(clinicId: string, patientId: string, fields?: F): Promise<PatientRecord<F>> {
    return assemble(await this.repo.read(clinicId, patientId, fields ?? ({} as F))) as PatientRecord<F>;
  }

  /** The record with timestamps as ISO strings made by PostgreSQL (see PatientRecordRepository.readIso). */
  async readIso<F extends RecordFields = Record<never, never>>(clinicId: string, patientId: string, fields?: F): Promise<IsoPatientRecord<F>> {
    return assemble((await this.repo.readIso(clinicId, patientId, fields ?? ({} as F))) as unknown as Parameters<typeof assemble>[0]) as IsoPatientRecord<F>;
  }
}

/** 404 without the patient (also another clinic's); each flag with its history steps (the caller names the record's type). */
function assemble(record: { patient: unknown; history: Array<{ flagId: string }>; flags: Array<{ id: string }> }): unknown {
  const { patient, history, flags, ...rest } = record;
  if (!patient) throw new NotFoundException('Patient not found'); // also another clinic's
  const steps = new Map<string, Array<{ flagId: string }>>();
  for (const e of history) {
    const list = steps.get(e.flagId) ?? [];
    list.push(e);
    steps.set(e.flagId, list);
  }
  return { ...rest, patient, flags: flags.map((f) => ({ ...f, history: steps.get(f.id) ?? [] })) };
}
