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
    expect(staffEscalation({ clinicName: 'North', priority: 'urgent', reason: 'Fever.', flagUrl: 'https://x/v1/flags/1', waitedMs: 31 * 60_000 })).toEqual({
      subject: '[URGENT] Not acknowledged for 31 minutes: Aftercare flag at North',
      text: 'ESCALATED: URGENT flag at North not acknowledged for 31 minutes. Fever. Open: https://x/v1/flags/1',
    });
  });

  it("is written in the clinic's staff language", () => {
    expect(staffEscalation({ locale: 'de', clinicName: 'Nord', priority: 'urgent', reason: 'Fever.', flagUrl: 'https://x/app/flags/1', waitedMs: 49 * 3600_000 })).toEqual({
      subject: '[DRINGEND] Seit 2 Tagen 1 Stunde nicht bestätigt: Aftercare-Meldung bei Nord',
      text: 'ESKALIERT: DRINGEND-Meldung bei Nord seit 2 Tagen 1 Stunde nicht bestätigt. Fever. Öffnen: https://x/app/flags/1',
    });
    expect(staffEscalation({ locale: 'es', clinicName: 'Sol', priority: 'high', reason: 'x', flagUrl: 'u', waitedMs: 31 * 60_000 }).text).toBe(
      'ESCALADO: aviso ALTO en Sol sin confirmar desde hace 31 minutos. x Abrir: u',
    );
    expect(staffEscalation({ locale: 'fr', clinicName: 'Sud', priority: 'urgent', reason: 'x', flagUrl: 'u', waitedMs: 60_000 }).subject).toBe(
      '[URGENTE] Sans réponse depuis 1 minute : alerte Aftercare chez Sud',
    );
  });
});

import { staffAlert } from '../protocols/texts';

describe('staffAlert', () => {
  it('is English by default and in the staff language when the clinic has one', () => {
    expect(staffAlert({ clinicName: 'North', priority: 'urgent', reason: 'Fever.', flagUrl: 'u' }).text).toBe('URGENT flag at North: Fever. Open: u');
    expect(staffAlert({ locale: 'de', clinicName: 'Nord', priority: 'urgent', reason: 'Fever.', flagUrl: 'u' })).toEqual({
      subject: '[DRINGEND] Aftercare-Meldung bei Nord',
      text: 'DRINGEND: Meldung bei Nord: Fever. Öffnen: u',
    });
  });
});
