import { InitialSchema1764000000000 } from './1764000000000-InitialSchema';
import { TreatmentRefAndFallback1764100000000 } from './1764100000000-TreatmentRefAndFallback';
import { DeliveryFailures1764300000000 } from './1764300000000-DeliveryFailures';
import { AuditCheckpoints1764400000000 } from './1764400000000-AuditCheckpoints';
import { FlagEvents1764500000000 } from './1764500000000-FlagEvents';
import { CourseFoundation1765000000000 } from './1765000000000-CourseFoundation';
import { DatabaseRoles1765500000000 } from './1765500000000-DatabaseRoles';

/** Every migration, in order. A new migration file is added here too. */
export const MIGRATIONS = [
  InitialSchema1764000000000,
  TreatmentRefAndFallback1764100000000,
  DeliveryFailures1764300000000,
  AuditCheckpoints1764400000000,
  FlagEvents1764500000000,
  CourseFoundation1765000000000,
  DatabaseRoles1765500000000,
];
