import { Global, Injectable, Module } from '@nestjs/common';
import { ProtocolUsageCounts, TreatmentsOfProtocol } from '../protocols/protocol-usage';
import { TreatmentsRepository } from './treatments.repository';

/** Treatments' side of protocols' ProtocolUsageCounts port: the counts are of treatments' table. */
@Injectable()
export class TreatmentsProtocolUsage extends ProtocolUsageCounts {
  constructor(private readonly treatments: TreatmentsRepository) {
    super();
  }

  byProtocol(clinicId: string): Promise<TreatmentsOfProtocol[]> {
    return this.treatments.countsByProtocol(clinicId);
  }
}

/** Global so that ProtocolsModule, below treatments, can be given it without importing treatments. */
@Global()
@Module({ providers: [TreatmentsRepository, { provide: ProtocolUsageCounts, useClass: TreatmentsProtocolUsage }], exports: [ProtocolUsageCounts] })
export class ProtocolUsageModule {}
