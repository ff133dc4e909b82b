import type { TestApp } from './app';
import { linkIn, NO_WARNING_SIGNS } from './factories';

/** What the signals and course-report e2e files share: the form fields of an answer with no symptom, and answering the check-ins sent. */

export const CLEAN = { bruising: '0', redness: '0', itching: '0', burning: '0', pain: '0', free_text: '' };

/** Sends every due check-in and answers the given patients' latest mail with the given form fields. */
export async function dispatchAndAnswer(t: TestApp, answers: Array<{ email: string; form: Record<string, string> }>) {
  await t.dispatcher.tick();
  for (const a of answers) {
    const mails = t.smtp.to(a.email);
    expect(mails.length).toBeGreaterThan(0);
    await t.http.post(linkIn(mails[mails.length - 1].parsed.text!)).type('form').send({ ...NO_WARNING_SIGNS, ...a.form }).expect(200);
  }
}
