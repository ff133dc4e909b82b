import { DeliveryHooks } from './delivery-hooks';
import type { Message } from './message.entity';

describe('DeliveryHooks', () => {
  it('throws on a second guard for the same purpose instead of replacing the first', () => {
    const hooks = new DeliveryHooks();
    hooks.guard('reminder', async () => ({ send: true }));
    expect(() => hooks.guard('reminder', async () => ({ cancel: 'no' }))).toThrow(/already registered/);
    expect(() => hooks.guard('clarification', async () => ({ send: true }))).not.toThrow();
  });

  it('throws on a second failure hook', () => {
    const hooks = new DeliveryHooks();
    hooks.onFailure(async () => undefined);
    expect(() => hooks.onFailure(async () => undefined)).toThrow(/already registered/);
  });

  it('lets a message with no guard for its purpose go, and asks the guard otherwise', async () => {
    const hooks = new DeliveryHooks();
    hooks.guard('reminder', async () => ({ cancel: 'check-in answered' }));
    expect(await hooks.verdictFor({ purpose: 'staff_alert' } as Message)).toEqual({ send: true });
    expect(await hooks.verdictFor({ purpose: 'reminder' } as Message)).toEqual({ cancel: 'check-in answered' });
  });
});
