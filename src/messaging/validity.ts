import { MessagePurpose } from './message.entity';

/**
 * How long the carrier may hold an SMS before it is no longer worth delivering (Twilio's
 * `ValidityPeriod`, in seconds), for messages whose guard does not decide it (a check-in's
 * validity runs to the end of the clinic's sending window). Every SMS says how long it may wait:
 *  - a reply to the patient's own text (HELP/INFO, the request for missing scores or for a
 *    readable answer) is only useful while they are at their phone: 2 hours;
 *  - safety advice goes at any hour, and is still worth having for a while: 4 hours (by then
 *    the practitioner, alerted at once and escalated after 30 minutes, has called);
 *  - a staff alert is repeated by escalation after 30 minutes: 1 hour;
 *  - aftercare instructions and anything else: 10 hours, Twilio's maximum.
 */
export const VALIDITY_SECONDS: Record<MessagePurpose, number> = {
  check_in: 36_000,
  reminder: 36_000,
  safety_advice: 4 * 3600,
  clarification: 2 * 3600,
  staff_alert: 3600,
  consent_reply: 2 * 3600,
  aftercare_instructions: 36_000,
  reply: 2 * 3600,
};
