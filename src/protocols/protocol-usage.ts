/** How the clinic's treatments follow one protocol version: treatments' numbers, not protocols'. */
export interface TreatmentsOfProtocol {
  protocolId: string;
  treatments: number;
  activeTreatments: number;
  patients: number;
  firstPerformedAt: Date;
  lastPerformedAt: Date;
}

/**
 * Where protocols learns how its versions are used. The counts are of `treatments`, which the
 * treatments feature owns and reads (TreatmentsRepository); treatments sits above protocols, so
 * protocols owns this port and treatments provides it (src/treatments/protocol-usage.module.ts),
 * the same shape as clinics' StaffCredentials. Without treatments loaded Nest refuses to start.
 */
export abstract class ProtocolUsageCounts {
  abstract byProtocol(clinicId: string): Promise<TreatmentsOfProtocol[]>;
}
