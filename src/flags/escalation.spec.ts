import { waitedPhrase } from './escalation.service';

describe('waitedPhrase', () => {
  it('says minutes, then hours, then days and hours', () => {
    expect(waitedPhrase(31 * 60_000)).toBe('31 minutes');
    expect(waitedPhrase(60_000)).toBe('1 minute');
    expect(waitedPhrase(119 * 60_000)).toBe('119 minutes');
    expect(waitedPhrase(24 * 3600_000 + 60_000)).toBe('24 hours');
    expect(waitedPhrase(49 * 3600_000)).toBe('2 days 1 hour');
    expect(waitedPhrase(72 * 3600_000)).toBe('3 days');
  });
});

import { staffEscalation } from '../protocols/texts';

describe('staffEscalation', () => {
  it('says it was escalated, for how long nobody acknowledged it, and links the flag', () => {
    expect(staffEscalation({ clinicName: 'North', priority: 'urgent', reason: 'Fever.', flagUrl: 'https://x/v1/flags/1', waited: '31 minutes' })).toEqual({
      subject: '[URGENT] Not acknowledged for 31 minutes: Aftercare flag at North',
      text: 'ESCALATED: URGENT flag at North not acknowledged for 31 minutes. Fever. Open: https://x/v1/flags/1',
    });
  });
});
