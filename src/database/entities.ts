import { ResponsePhoto } from '../photos/photo.entity';
import { AuditEvent } from '../audit/audit-event.entity';
import { ApiKey } from '../auth/api-key.entity';
import { StaffSession } from '../auth/staff-session.entity';
import { CheckIn } from '../check-ins/check-in.entity';
import { CheckInToken } from '../check-ins/check-in-token.entity';
import { CheckInTreatment } from '../check-ins/check-in-treatment.entity';
import { Clinic } from '../clinics/clinic.entity';
import { StaffUser } from '../clinics/staff-user.entity';
import { FlagCase } from '../flags/flag-case.entity';
import { FlagEvent } from '../flags/flag-event.entity';
import { Flag } from '../flags/flag.entity';
import { Message } from '../messaging/message.entity';
import { OnCallShift } from '../on-call/on-call-shift.entity';
import { Patient } from '../patients/patient.entity';
import { Protocol } from '../protocols/protocol.entity';
import { Response } from '../responses/response.entity';
import { Signal } from '../signals/signal.entity';
import { Treatment } from '../treatments/treatment.entity';

export const ENTITIES = [
  AuditEvent,
  ApiKey,
  CheckIn,
  CheckInToken,
  CheckInTreatment,
  Clinic,
  StaffUser,
  StaffSession,
  Flag,
  FlagCase,
  FlagEvent,
  Message,
  OnCallShift,
  Patient,
  Protocol,
  Response,
  ResponsePhoto,
  Signal,
  Treatment,
];
