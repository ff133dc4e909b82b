/** Decides what "everything held about a patient" is: the one list the timeline and the access export both read. */
import { Injectable, NotFoundException } from '@nestjs/common';
import { RecordFields, RecordRows, PatientRecordRepository } from './patient-record.repository';

/** A patient's record under `F` (every field of every part by default), each part in its owner's order (oldest first); flags carry their history. */
export type PatientRecord<F extends RecordFields = Record<never, never>> = Omit<RecordRows<F>, 'patient' | 'flags' | 'history'> & {
  patient: NonNullable<RecordRows<F>['patient']>;
  flags: Array<RecordRows<F>['flags'][number] & { history: RecordRows<F>['history'] }>;
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
    const { patient, history, flags, ...rest } = await this.repo.read(clinicId, patientId, fields ?? ({} as F));
    if (!patient) throw new NotFoundException('Patient not found'); // also another clinic's
    const steps = new Map<string, RecordRows<F>['history']>();
    for (const e of history) {
      const list = steps.get(e.flagId) ?? [];
      list.push(e);
      steps.set(e.flagId, list);
    }
    return { ...rest, patient, flags: flags.map((f) => ({ ...f, history: steps.get(f.id) ?? [] })) };
  }
}
