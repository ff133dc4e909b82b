import {
  aftercareInstructions,
  checkInEmail,
  checkInSms,
  clarificationSms,
  fill,
  helpSms,
  localeFromAcceptLanguage,
  LOCALES,
  safetyAdvice,
  staffAlert,
  textsFor,
} from './index';

const t = { clinicName: 'Clinic <Sol> & Co', givenName: 'Ana', link: 'https://aftercare.test/c/abc', dayOffset: 3 };
const phone = '+34911234567';

describe('textsFor', () => {
  it("gives the patient's language, and English for anything unknown", () => {
    expect(textsFor('de').form.submit).toBe('Antworten senden');
    expect(textsFor('fr').form.submit).toBe('Envoyer mes réponses');
    expect(textsFor('es').form.submit).toBe('Enviar mis respuestas');
    for (const other of ['en', 'xx', 'DE', 'de-AT', '', null, undefined, 'constructor', '__proto__']) {
      expect(textsFor(other).form.submit).toBe('Send my answers');
    }
  });
});

describe('fill', () => {
  it('fills each placeholder once and leaves braces in the values alone', () => {
    expect(fill('{clinic}: hi {name}', { clinic: 'A {name} B', name: 'Ana' })).toBe('A {name} B: hi Ana');
  });
  it('refuses a template with a value missing', () => {
    expect(() => fill('hi {name}', {})).toThrow('No value for {name}');
  });
});

describe('English messages', () => {
  it('read as before', () => {
    expect(checkInSms('en', t)).toBe(
      'Clinic <Sol> & Co: hi Ana, how is your skin 3 days after your treatment? Reply with 5 numbers 0-4 for bruising, redness, itching, burning, pain (0 none, 4 very severe), e.g. 1 0 2 0 1. Or answer at https://aftercare.test/c/abc',
    );
    expect(checkInSms('en', { ...t, dayOffset: 1 }, true)).toMatch(/^Reminder from Clinic <Sol> & Co: how is your skin one day after your treatment\?/);
    expect(checkInEmail('en', { ...t, dayOffset: 1 }).subject).toBe('How are you one day after your treatment? (Clinic <Sol> & Co)');
    expect(clarificationSms('en', 'North')).toMatch(/^North: sorry, we could not read that\. Reply with 5 numbers 0-4/);
    expect(helpSms('en', 'North', phone)).toMatch(/^North aftercare check-ins\. Call \+34911234567 for help\. .* Reply STOP to stop texts\.$/);
    expect(helpSms('en', 'North', null)).not.toContain('Call');
    expect(safetyAdvice('en', 'North', phone, ['fever'])).toEqual({
      subject: 'North: please contact us now',
      text: 'North: thank you for your answer. What you told us needs to be checked. Please call North on +34911234567 now. If it is out of hours or you feel very unwell, go to urgent care or call emergency services. A practitioner has been told.',
      sms: 'North: thank you for your answer. What you told us needs to be checked. Please call North on +34911234567 now. If it is out of hours or you feel very unwell, go to urgent care or call emergency services. A practitioner has been told.',
    });
    expect(safetyAdvice('en', 'North', null, ['airway_swelling']).text).toContain('call emergency services (112 / 999 / 911) now. Then tell North.');
  });

  it('escape the clinic name in HTML', () => {
    const { html } = checkInEmail('en', t);
    expect(html).toContain('Clinic &lt;Sol&gt; &amp; Co');
    expect(html).not.toContain('<Sol>');
  });

  it('stay English for staff', () => {
    expect(staffAlert({ clinicName: 'North', priority: 'urgent', reason: 'Fever.', flagUrl: 'https://x/v1/flags/1' }).text).toBe(
      'URGENT flag at North: Fever. Open: https://x/v1/flags/1',
    );
  });
});

/** A phrase that shows each message is in its language. */
const distinctive = {
  de: { sms: 'wie ist Ihre Haut 3 Tage nach der Behandlung', subject: 'Wie geht es Ihnen 3 Tage nach Ihrer Behandlung', safety: 'Bitte rufen Sie jetzt', airway: 'Notruf 112', help: 'Antworten Sie STOP' },
  fr: { sms: 'comment va votre peau 3 jours après le soin', subject: 'Comment allez-vous 3 jours après votre traitement', safety: 'Appelez maintenant', airway: 'urgences (15 ou 112)', help: 'Répondez STOP' },
  es: { sms: 'después del tratamiento?', subject: '¿Cómo se encuentra 3 días después de su tratamiento?', safety: 'Llame ahora a', airway: 'emergencias (112 / 911)', help: 'Responda STOP' },
};

describe.each(LOCALES)('%s messages', (locale) => {
  const words = locale === 'en' ? null : distinctive[locale];

  it("name the clinic in every message and are written in the patient's language", () => {
    const sms = checkInSms(locale, t);
    const reminder = checkInSms(locale, t, true);
    const email = checkInEmail(locale, t);
    const reminderEmail = checkInEmail(locale, t, true);
    const messages = [
      sms,
      reminder,
      email.subject,
      email.text,
      reminderEmail.subject,
      clarificationSms(locale, t.clinicName),
      helpSms(locale, t.clinicName, phone),
      helpSms(locale, t.clinicName, null),
      ...Object.values(safetyAdvice(locale, t.clinicName, phone, ['fever'])),
      ...Object.values(safetyAdvice(locale, t.clinicName, null, ['airway_swelling', 'fever'])),
    ];
    for (const m of messages) expect(m).toContain(t.clinicName);
    expect(sms).toContain(t.link);
    expect(email.text).toContain(t.link);
    expect(email.html).toContain(`href="${t.link}"`);
    expect(reminderEmail.subject).not.toBe(email.subject);
    expect(sms).toContain('1 0 2 0 1');
    if (!words) return;
    expect(sms).toContain(words.sms);
    expect(email.subject).toContain(words.subject);
    expect(safetyAdvice(locale, t.clinicName, phone, ['fever']).text).toContain(words.safety);
    expect(safetyAdvice(locale, t.clinicName, phone, ['fever']).text).toContain(phone);
    expect(safetyAdvice(locale, t.clinicName, null, ['airway_swelling']).text).toContain(words.airway);
    expect(helpSms(locale, t.clinicName, phone)).toContain(words.help);
    expect(helpSms(locale, t.clinicName, phone)).toContain(phone);
  });

  describe('aftercare instructions', () => {
    const input = { clinicName: t.clinicName, clinicPhone: phone, dayOffsets: [1, 3, 7, 14, 30, 60] };
    const emergency = { en: '112 / 999 / 911', de: 'Notruf 112', fr: 'le 15 ou le 112', es: '112 / 911' }[locale];
    const days = { en: '1, 3, 7, 14, 30 and 60 days', de: '1, 3, 7, 14, 30 und 60 Tage', fr: '1, 3, 7, 14, 30 et 60 jours', es: '1, 3, 7, 14, 30 y 60 días' }[locale];
    const c = textsFor(locale).aftercare;

    it('say by email what is usual and for how long, what to call about, the emergency, and when and how the check-ins come', () => {
      const mail = aftercareInstructions(locale, { ...input, channel: 'email' });
      expect(mail.subject).toContain(t.clinicName);
      for (const part of [t.clinicName, phone, emergency, days, c.usual.bruising, c.usual.rednessBurningPain, c.usual.itching, c.answerEmail, ...Object.values(c.signs)]) {
        expect(mail.text).toContain(part);
      }
      expect(mail.text).toMatch(/10/);
      expect(mail.html).toContain('<ul>');
      expect(mail.html).toContain('Clinic &lt;Sol&gt; &amp; Co');
      expect(mail.html).not.toContain('<Sol>');
    });

    it('say the same by SMS with the reply format, in plain GSM-7 letters', () => {
      const sms = aftercareInstructions(locale, { ...input, channel: 'sms' });
      expect(sms.html).toBeUndefined();
      for (const part of [t.clinicName, phone, emergency.normalize('NFD').replace(/[\u0300-\u036f]/g, ''), '1 0 2 0 1']) {
        expect(sms.text).toContain(part);
      }
      expect(sms.text).toContain(days.replace('í', 'i'));
    });

    it('send the patient to the clinic by name when it has no phone, and handle a single check-in', () => {
      const mail = aftercareInstructions(locale, { ...input, clinicPhone: null, dayOffsets: [1], channel: 'email' });
      expect(mail.text).toContain(fill(c.callIntro, { clinic: t.clinicName }));
      expect(mail.text).toContain(fill(c.checkIns, { when: textsFor(locale).day.one }));
    });
  });
});

describe('localeFromAcceptLanguage', () => {
  it.each([
    ['de-CH,de;q=0.9,en;q=0.8', 'de'],
    ['en-GB,en;q=0.9', 'en'],
    ['pl,fr;q=0.7,es;q=0.8', 'es'],
    ['es;q=0,fr;q=0.5', 'fr'],
    ['FR-be', 'fr'],
    ['*', 'en'],
    ['', 'en'],
    [undefined, 'en'],
    ['zz, ;;;, q=', 'en'],
  ])('%s → %s', (header, locale) => {
    expect(localeFromAcceptLanguage(header)).toBe(locale);
  });
});
