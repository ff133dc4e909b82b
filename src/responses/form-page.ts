import { SYMPTOMS, WARNING_SIGNS } from '../protocols/questions';
import { FORM_TEXT } from '../protocols/texts';
import { escapeHtml, page } from '../web/layout';
import { FREE_TEXT_MAX } from './form-answers';

/** The patient's check-in form: plain HTML, big touch targets, no JavaScript. */
export function formPage(opts: { action: string; clinicName: string; errors?: string[]; values?: Record<string, unknown> }): string {
  const v = opts.values ?? {};
  const errors = opts.errors?.length
    ? `<div class="error" role="alert"><strong>Please check your answers:</strong><ul>${opts.errors.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul></div>`
    : '';
  const symptoms = SYMPTOMS.map(
    (s) => `<fieldset><legend>${escapeHtml(FORM_TEXT.symptomsLegend(s))}</legend><div class="scale">${FORM_TEXT.levels
      .map(
        (label, level) =>
          `<label><input type="radio" name="${s}" value="${level}" required${String(v[s]) === String(level) ? ' checked' : ''}> ${escapeHtml(label)}</label>`,
      )
      .join('')}</div></fieldset>`,
  ).join('\n');
  const signs = WARNING_SIGNS.map((w) => {
    const name = `ws_${w}`;
    return `<fieldset><legend>${escapeHtml(FORM_TEXT.warningSigns[w])}</legend><div class="yesno">
<label><input type="radio" name="${name}" value="yes" required${v[name] === 'yes' ? ' checked' : ''}> Yes</label>
<label><input type="radio" name="${name}" value="no"${v[name] === 'no' ? ' checked' : ''}> No</label></div></fieldset>`;
  }).join('\n');
  return page(
    FORM_TEXT.title,
    `<h1>${escapeHtml(FORM_TEXT.title)}</h1>
<p class="note">${escapeHtml(opts.clinicName)} asks a few questions after your treatment. Choose how strong each one is right now.</p>
${errors}
<form method="post" action="${escapeHtml(opts.action)}">
${symptoms}
<h2>${escapeHtml(FORM_TEXT.warningIntro)}</h2>
${signs}
<fieldset><legend>${escapeHtml(FORM_TEXT.freeText)}</legend>
<textarea name="free_text" maxlength="${FREE_TEXT_MAX}">${escapeHtml(v.free_text ?? '')}</textarea></fieldset>
<button type="submit">${escapeHtml(FORM_TEXT.submit)}</button>
</form>`,
  );
}

export function thanksPage(clinicName: string, safetyAdvice: string | null): string {
  const advice = safetyAdvice ? `<div class="advice" role="alert"><strong>Please act now.</strong><p>${escapeHtml(safetyAdvice)}</p></div>` : '';
  return page('Thank you', `<h1>Thank you</h1>${advice}<p>Your answers have reached ${escapeHtml(clinicName)}. You can close this page.</p>`);
}

export function closedPage(state: 'unknown' | 'answered' | 'expired' | 'closed'): string {
  const text = {
    unknown: ['Link not found', 'This link is not valid. Please check that you opened the whole link from your message.'],
    answered: ['Already answered', 'This check-in has already been answered. Thank you.'],
    expired: ['This check-in has closed', 'The time to answer this check-in has passed. If you are worried about your skin, please call your clinic.'],
    closed: ['This check-in has closed', 'This check-in is no longer open. If you are worried about your skin, please call your clinic.'],
  }[state];
  return page(text[0], `<h1>${escapeHtml(text[0])}</h1><p>${escapeHtml(text[1])}</p>`);
}
