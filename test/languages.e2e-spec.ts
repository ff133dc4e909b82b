import { randomBytes } from 'node:crypto';
import { createTestApp, TestApp } from './support/app';
import { linkIn, newClinic, newPatient, newTreatment, NO_WARNING_SIGNS, TestClinic } from './support/factories';

/** A patient's locale picks the language of every message, the form and the safety advice. */

type Treatment = Awaited<ReturnType<typeof newTreatment>>;

const LANGUAGES = {
  de: {
    sms: 'wie ist Ihre Haut einen Tag nach der Behandlung? Antwort: 5 Zahlen 0-4 für Hämatom',
    emailSubject: 'Wie geht es Ihnen einen Tag nach Ihrer Behandlung?',
    emailText: 'Der Link funktioniert einmal und läuft nach zwei Tagen ab.',
    form: ['Wie geht es Ihnen nach Ihrer Behandlung?', 'Hämatom (blauer Fleck)', 'sehr stark', 'Haben Sie eines davon?', 'Nein', 'Antworten senden'],
    formError: 'Bitte wählen Sie eine Stärke für „Schmerzen“.',
    actNow: 'Bitte handeln Sie jetzt.',
    callClinic: 'Bitte rufen Sie jetzt',
    adviceSubject: 'Bitte melden Sie sich jetzt bei uns',
    airway: 'Rufen Sie jetzt den Notruf 112.',
    clarification: 'Entschuldigung, das konnten wir nicht lesen.',
    help: 'Antworten Sie STOP',
    answered: 'Bereits beantwortet',
  },
  fr: {
    sms: 'comment va votre peau un jour après le soin ? Envoyez 5 chiffres 0-4 pour bleu',
    emailSubject: 'Comment allez-vous un jour après votre traitement ?',
    emailText: 'expire au bout de deux jours.',
    form: ['Comment allez-vous après votre traitement ?', 'Bleus (ecchymoses)', 'très fort', 'Non', 'Envoyer mes réponses'],
    formError: 'Choisissez un niveau pour « douleur ».',
    actNow: 'Agissez maintenant.',
    callClinic: 'Appelez maintenant',
    adviceSubject: 'contactez-nous maintenant',
    airway: 'appelez maintenant les urgences (15 ou 112)',
    clarification: 'désolé, nous n\'avons pas compris votre réponse.',
    help: 'Répondez STOP',
    answered: 'Déjà répondu',
  },
  es: {
    sms: 'después del tratamiento? Responda con 5 cifras 0-4 para moratones',
    emailSubject: '¿Cómo se encuentra un día después de su tratamiento?',
    emailText: 'El enlace funciona una sola vez y caduca a los dos días.',
    form: ['¿Cómo se encuentra después de su tratamiento?', 'Moratones', 'muy intenso', '¿Tiene alguno de estos síntomas?', 'Sí', 'Enviar mis respuestas'],
    formError: 'Elija un nivel para «dolor».',
    actNow: 'Actúe ahora.',
    callClinic: 'Llame ahora a',
    adviceSubject: 'contacte con nosotros ahora',
    airway: 'llame ahora a emergencias (112 / 911)',
    clarification: 'perdone, no hemos entendido su respuesta.',
    help: 'Responda STOP',
    answered: 'Ya respondido',
  },
} as const;

describe('languages, end to end', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ start: '2026-03-02T08:00:00Z' }); // Monday 09:00 in Madrid
  });
  afterAll(async () => {
    await t?.close();
  });

  async function dispatchFirst(...treatments: Treatment[]) {
    const due = new Date(Math.max(...treatments.map((tr) => new Date(tr.checkIns[0].dueAt).getTime())));
    if (t.clock.now() < due) t.clock.set(due);
    await t.dispatcher.tick();
  }

  const reply = (c: TestClinic, from: string, body: string) =>
    t.twilioWebhook('/webhooks/twilio/sms', { MessageSid: 'SM' + randomBytes(16).toString('hex'), From: from, To: c.smsNumber, Body: body, AccountSid: 'AC' + '0'.repeat(32) }).expect(200);

  describe.each(Object.entries(LANGUAGES))('%s', (locale, words) => {
    it('sends the check-in email in the language, with a form and safety advice in it too', async () => {
      const c = await newClinic(t);
      const patient = await newPatient(t, c, { locale, preferredChannel: 'email', givenName: 'Lena' });
      await dispatchFirst(await newTreatment(t, c, patient.id));

      const mail = t.smtp.to(patient.email!).find((m) => m.parsed.text?.includes('/c/'));
      expect(mail).toBeDefined();
      expect(mail!.parsed.subject).toContain(words.emailSubject);
      expect(mail!.parsed.subject).toContain(c.clinic.name);
      expect(mail!.parsed.text).toContain(words.emailText);
      expect(mail!.parsed.text).toContain(c.clinic.name);
      expect(mail!.parsed.html).toContain(c.clinic.name);
      const link = linkIn(mail!.parsed.text!);

      const form = await t.http.get(link).expect(200);
      expect(form.text).toContain(`<html lang="${locale}">`);
      for (const label of words.form) expect(form.text).toContain(label);
      expect(form.text).toContain(c.clinic.name);
      expect(form.text).not.toContain('Bruising');
      expect(form.text).not.toContain('Send my answers');

      // A form with a question left out comes back with the error in the language.
      const incomplete = await t.http.post(link).type('form').send({ bruising: '1', redness: '0', itching: '0', burning: '0', ...NO_WARNING_SIGNS }).expect(400);
      expect(incomplete.text).toContain(`<html lang="${locale}">`);
      expect(incomplete.text).toContain(words.formError.replace(/"/g, '&quot;'));

      const thanks = await t.http
        .post(link)
        .type('form')
        .send({ bruising: '1', redness: '1', itching: '0', burning: '0', pain: '1', ...NO_WARNING_SIGNS, ws_fever: 'yes' })
        .expect(200);
      expect(thanks.text).toContain(`<html lang="${locale}">`);
      expect(thanks.text).toContain(words.actNow);
      expect(thanks.text).toContain(words.callClinic);
      expect(thanks.text).toContain(c.clinic.name);
      expect(thanks.text).not.toContain('Please act now');

      const advice = t.smtp.to(patient.email!).find((m) => m.parsed.subject?.includes(words.adviceSubject));
      expect(advice).toBeDefined();
      expect(advice!.parsed.subject).toContain(c.clinic.name);
      expect(advice!.parsed.text).toContain(words.callClinic);
      expect(advice!.parsed.text).toContain('+34911234567');

      const used = await t.http.get(link).expect(410);
      expect(used.text).toContain(`<html lang="${locale}">`);
      expect(used.text).toContain(words.answered);
    });

    it('sends the check-in SMS in the language, answers SMS replies in it, and gives airway advice in it', async () => {
      const c = await newClinic(t);
      const patient = await newPatient(t, c, { locale, preferredChannel: 'sms', givenName: 'Lena' });
      await dispatchFirst(await newTreatment(t, c, patient.id));

      const sms = t.twilioApi.to(patient.phone!).find((r) => r.params.Body.includes('/c/'));
      expect(sms).toBeDefined();
      expect(sms!.params.Body).toContain(`${c.clinic.name}`);
      expect(sms!.params.Body).toContain('Lena');
      expect(sms!.params.Body).toContain(words.sms);
      expect(sms!.params.Body).not.toContain('Reply with');
      const link = linkIn(sms!.params.Body);

      await reply(c, patient.phone!, '???');
      const clarification = t.twilioApi.to(patient.phone!).at(-1)!.params.Body;
      expect(clarification).toContain(c.clinic.name);
      expect(clarification).toContain(words.clarification);

      await reply(c, patient.phone!, 'HELP');
      const help = t.twilioApi.to(patient.phone!).at(-1)!.params.Body;
      expect(help).toContain(c.clinic.name);
      expect(help).toContain(words.help);

      await t.http
        .post(link)
        .type('form')
        .send({ bruising: '0', redness: '0', itching: '0', burning: '0', pain: '0', ...NO_WARNING_SIGNS, ws_airway_swelling: 'yes' })
        .expect(200);
      const advice = t.twilioApi.to(patient.phone!).at(-1)!.params.Body;
      expect(advice).toContain(c.clinic.name);
      expect(advice).toContain(words.airway);
    });
  });

  it('shows an unknown link in the language the browser asks for', async () => {
    const res = await t.http.get(`/c/${'A'.repeat(43)}`).set('Accept-Language', 'fr-CH, fr;q=0.9, en;q=0.8').expect(404);
    expect(res.text).toContain('<html lang="fr">');
    expect(res.text).toContain('Lien introuvable');
    const english = await t.http.get(`/c/${'A'.repeat(43)}`).expect(404);
    expect(english.text).toContain('<html lang="en">');
    expect(english.text).toContain('Link not found');
  });
});
