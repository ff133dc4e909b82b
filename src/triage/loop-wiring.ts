import { Injectable, OnModuleInit } from '@nestjs/common';
import { CheckInDeliveryFailures } from '../check-ins/check-in-delivery-failures';
import { CheckInExpiry } from '../check-ins/check-in-expiry';
import { CheckInGuards } from '../check-ins/check-in-guards';
import { FlagsService } from '../flags/flags.service';
import { DeliveryHooks } from '../messaging/delivery-hooks';
import { ReplyGuards } from '../responses/reply-guards';

/**
 * Every guard and hook of the follow-up loop, registered in this one place. Lower layers announce
 * what they cannot decide themselves (messaging: may this queued message still go, and who hears
 * of a failed delivery; check-ins: a patient lost to follow-up), and this module, above them all,
 * says who answers. Registering a purpose or hook twice throws (DeliveryHooks, CheckInExpiry).
 */
@Injectable()
export class LoopWiring implements OnModuleInit {
  constructor(
    private readonly delivery: DeliveryHooks,
    private readonly checkInGuards: CheckInGuards,
    private readonly checkInFailures: CheckInDeliveryFailures,
    private readonly expiry: CheckInExpiry,
    private readonly replyGuards: ReplyGuards,
    private readonly flags: FlagsService,
  ) {}

  onModuleInit(): void {
    // Queued messages: is each still wanted, and may it go now?
    this.delivery.guard('reminder', (message) => this.checkInGuards.reminder(message));
    this.delivery.guard('aftercare_instructions', (message) => this.checkInGuards.patientMessage(message));
    this.delivery.guard('clarification', (message) => this.replyGuards.clarification(message));
    this.delivery.guard('consent_reply', (message) => this.replyGuards.consentReply(message));
    // A failed delivery: the patient's contact points, and a check-in already marked sent.
    this.delivery.onFailure((tx, message, failure) => this.checkInFailures.afterFailure(tx, message, failure));
    // Two check-ins unanswered in a row: a flag, in the transaction that expires the second.
    this.expiry.onLostToFollowUp((tx, lost) => this.flags.raiseLostToFollowUp(tx, lost));
  }
}
