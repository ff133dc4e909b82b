/**
 * When in a patient's day their check-ins may go: their time zone (else the clinic's), the
 * clinic's send window, and the protocol's send time, expiry and reminder. Pure.
 */
import type { Clinic } from '../clinics/clinic.entity';
import type { Patient } from '../patients/patient.entity';
import type { Protocol } from '../protocols/protocol.entity';
import type { CheckInTiming, SendWindow } from './planner';

export function sendWindowOf(clinic: Pick<Clinic, 'sendWindowStart' | 'sendWindowEnd'>): SendWindow {
  return { start: clinic.sendWindowStart.slice(0, 5), end: clinic.sendWindowEnd.slice(0, 5) };
}

export function timeZoneOf(patient: Pick<Patient, 'timeZone'>, clinic: Pick<Clinic, 'timeZone'>): string {
  return patient.timeZone ?? clinic.timeZone;
}

/** The protocol's timing for a patient's session: when in their day a check-in goes, how long it stays open, whether it is reminded. */
export function timingOf(
  treatment: { performedAt: Date },
  patient: Pick<Patient, 'timeZone'>,
  clinic: Pick<Clinic, 'timeZone' | 'sendWindowStart' | 'sendWindowEnd'>,
  protocol: Pick<Protocol, 'sendTime' | 'expiryHours' | 'reminderAfterHours'>,
): CheckInTiming {
  return {
    performedAt: treatment.performedAt,
    timeZone: timeZoneOf(patient, clinic),
    sendTime: protocol.sendTime.slice(0, 5),
    sendWindow: sendWindowOf(clinic),
    expiryHours: protocol.expiryHours,
    reminderAfterHours: protocol.reminderAfterHours,
  };
}
