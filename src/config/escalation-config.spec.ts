import { loadConfig } from './app-config';

describe('escalation settings', () => {
  it('default to 30 minutes for urgent, 24 hours for high, a tick a minute', () => {
    expect(loadConfig({})).toMatchObject({ escalateUrgentAfterMinutes: 30, escalateHighAfterHours: 24, escalationIntervalMs: 60_000 });
  });

  it('take whole numbers, 0 turning the tick off', () => {
    expect(loadConfig({ ESCALATE_URGENT_AFTER_MINUTES: '15', ESCALATE_HIGH_AFTER_HOURS: '12', ESCALATION_INTERVAL_MS: '0' })).toMatchObject({
      escalateUrgentAfterMinutes: 15,
      escalateHighAfterHours: 12,
      escalationIntervalMs: 0,
    });
  });

  it('name a bad value', () => {
    expect(() => loadConfig({ ESCALATE_URGENT_AFTER_MINUTES: 'soon' })).toThrow(/ESCALATE_URGENT_AFTER_MINUTES/);
    expect(() => loadConfig({ ESCALATE_URGENT_AFTER_MINUTES: '0' })).toThrow(/ESCALATE_URGENT_AFTER_MINUTES/);
    expect(() => loadConfig({ ESCALATE_HIGH_AFTER_HOURS: '1.5' })).toThrow(/ESCALATE_HIGH_AFTER_HOURS/);
    expect(() => loadConfig({ ESCALATE_HIGH_AFTER_HOURS: '100000' })).toThrow(/ESCALATE_HIGH_AFTER_HOURS/);
    expect(() => loadConfig({ ESCALATION_INTERVAL_MS: '-1' })).toThrow(/ESCALATION_INTERVAL_MS/);
  });
});
