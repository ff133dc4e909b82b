import type { CheckInDeliveryFailures } from '../check-ins/check-in-delivery-failures';
import { CheckInExpiry } from '../check-ins/check-in-expiry';
import type { CheckInGuards } from '../check-ins/check-in-guards';
import type { FlagsService } from '../flags/flags.service';
import { DeliveryHooks } from '../messaging/delivery-hooks';
import type { Message } from '../messaging/message.entity';
import type { ReplyGuards } from '../responses/reply-guards';
import { LoopWiring } from './loop-wiring';

describe('LoopWiring: every guard and hook of the loop, registered once', () => {
  const wire = (hooks: DeliveryHooks, expiry: CheckInExpiry) =>
    new LoopWiring(
      hooks,
      { reminder: async () => ({ cancel: 'reminder guard' }), patientMessage: async () => ({ send: true }) } as unknown as CheckInGuards,
      { afterFailure: async () => undefined } as unknown as CheckInDeliveryFailures,
      expiry,
      { clarification: async () => ({ send: true }), consentReply: async () => ({ send: true }) } as unknown as ReplyGuards,
      { raiseLostToFollowUp: async () => null } as unknown as FlagsService,
    );

  it('registers the guards of each purpose', async () => {
    const hooks = new DeliveryHooks();
    wire(hooks, new CheckInExpiry(null as never, null as never, null as never, null as never)).onModuleInit();
    expect(await hooks.verdictFor({ purpose: 'reminder' } as Message)).toEqual({ cancel: 'reminder guard' });
  });

  it('throws when the same guards and hooks are registered a second time', () => {
    const hooks = new DeliveryHooks();
    const expiry = new CheckInExpiry(null as never, null as never, null as never, null as never);
    wire(hooks, expiry).onModuleInit();
    expect(() => wire(hooks, expiry).onModuleInit()).toThrow(/already registered/);
    expect(() => expiry.onLostToFollowUp(async () => null)).toThrow(/already registered/);
  });
});
