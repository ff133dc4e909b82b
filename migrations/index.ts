import { InitialSchema1764000000000 } from './1764000000000-InitialSchema';
import { TreatmentRefAndFallback1764100000000 } from './1764100000000-TreatmentRefAndFallback';
import { DeliveryFailures1764300000000 } from './1764300000000-DeliveryFailures';
import { AuditCheckpoints1764400000000 } from './1764400000000-AuditCheckpoints';
import { FlagEvents1764500000000 } from './1764500000000-FlagEvents';
import { CourseFoundation1765000000000 } from './1765000000000-CourseFoundation';
import { OnCallAndEscalation1765300000000 } from './1765300000000-OnCallAndEscalation';
import { Signals1765400000000 } from './1765400000000-Signals';
import { ProtocolsInsertOnly1765700000000 } from './1765700000000-ProtocolsInsertOnly';
import { EscalationPerRound1765800000000 } from './1765800000000-EscalationPerRound';
import { NoDeletesOfTheRecord1765900000000 } from './1765900000000-NoDeletesOfTheRecord';
import { TreatmentProtocolKey1766000000000 } from './1766000000000-TreatmentProtocolKey';
import { FlagAssessment1765600000000 } from './1765600000000-FlagAssessment';
import { ProtocolsAndCourses1765100000000 } from './1765100000000-ProtocolsAndCourses';
import { OneOpenFlagPerRule1765200000000 } from './1765200000000-OneOpenFlagPerRule';
import { DatabaseRoles1765500000000 } from './1765500000000-DatabaseRoles';
import { AuditChainHeads1767300000000 } from './1767300000000-AuditChainHeads';
import { RateLimits1767100000000 } from './1767100000000-RateLimits';
import { StaffSessions1767100000001 } from './1767100000001-StaffSessions';
import { ChannelsOff1767200000000 } from './1767200000000-ChannelsOff';

import { FlagCases1767700000000 } from './1767700000000-FlagCases';
import { StaffEmailPerClinic1768000000000 } from './1768000000000-StaffEmailPerClinic';
import { SignReadings1768500000000 } from './1768500000000-SignReadings';
import { ClinicSmsNameAndStaffLocale1768500000001 } from './1768500000001-ClinicSmsNameAndStaffLocale';
import { ResponsePhotos1768600000000 } from './1768600000000-ResponsePhotos';
import { CheckInTokensClinic1768700000000 } from './1768700000000-CheckInTokensClinic';
import { MmsMediaFetches1768810000000 } from './1768810000000-MmsMediaFetches';
import { ClinicEscalationDelays1768400000000 } from './1768400000000-ClinicEscalationDelays';
import { AuditChainKey1768740000000 } from './1768740000000-AuditChainKey';
/** Every migration, in order. A new migration file is added here too. */
export const MIGRATIONS = [
  InitialSchema1764000000000,
  TreatmentRefAndFallback1764100000000,
  DeliveryFailures1764300000000,
  AuditCheckpoints1764400000000,
  FlagEvents1764500000000,
  CourseFoundation1765000000000,
  ProtocolsAndCourses1765100000000,
  OneOpenFlagPerRule1765200000000,
  OnCallAndEscalation1765300000000,
  Signals1765400000000,
  DatabaseRoles1765500000000,
  FlagAssessment1765600000000,
  ProtocolsInsertOnly1765700000000,
  EscalationPerRound1765800000000,
  NoDeletesOfTheRecord1765900000000,
  TreatmentProtocolKey1766000000000,
  AuditChainHeads1767300000000,
  RateLimits1767100000000,
  StaffSessions1767100000001,
  ChannelsOff1767200000000,
  FlagCases1767700000000,
  StaffEmailPerClinic1768000000000,
  SignReadings1768500000000,
  ClinicSmsNameAndStaffLocale1768500000001,
  ResponsePhotos1768600000000,
  CheckInTokensClinic1768700000000,
  ClinicEscalationDelays1768400000000,
  AuditChainKey1768740000000,
  MmsMediaFetches1768810000000,
];
