import { SYMPTOMS, WARNING_SIGNS } from '../protocols/questions';
import { ClosedState, fill, localeOf, textsFor } from '../protocols/texts';
import { escapeHtml, page } from '../web/layout';
import { FREE_TEXT_MAX } from './form-answers';

/** The patient's check-in form: plain HTML, big touch targets, no JavaScript, in the patient's language. */
export function formPage(opts: {
  locale: string;
  action: string;
  clinicName: string;
  errors?: string[];
  values?: Record<string, unknown>;
}): string {
  const t = textsFor(opts.locale).form;
  const p = textsFor(opts.locale).photos;
  const v = opts.values ?? {};
  const errors = opts.errors?.length
    ? `<div class="error" role="alert"><strong>${escapeHtml(t.checkAnswers)}</strong><ul>${opts.errors.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul></div>`
    : '';
  const symptoms = SYMPTOMS.map(
    (s) => `<fieldset><legend>${escapeHtml(t.symptoms[s])}</legend><div class="scale">${t.levels
      .map(
        (label, level) =>
          `<label><input type="radio" name="${s}" value="${level}" required${String(v[s]) === String(level) ? ' checked' : ''}> ${escapeHtml(label)}</label>`,
      )
      .join('')}</div></fieldset>`,
  ).join('\n');
  const signs = WARNING_SIGNS.map((w) => {
    const name = `ws_${w}`;
    return `<fieldset><legend>${escapeHtml(t.warningSigns[w])}</legend><div class="yesno">
<label><input type="radio" name="${name}" value="yes" required${v[name] === 'yes' ? ' checked' : ''}> ${escapeHtml(t.yes)}</label>
<label><input type="radio" name="${name}" value="no"${v[name] === 'no' ? ' checked' : ''}> ${escapeHtml(t.no)}</label></div></fieldset>`;
  }).join('\n');
  return page(
    t.title,
    `<h1>${escapeHtml(t.title)}</h1>
<p class="note">${escapeHtml(fill(t.intro, { clinic: opts.clinicName }))}</p>
${errors}
<form method="post" action="${escapeHtml(opts.action)}" enctype="multipart/form-data">
${symptoms}
<h2>${escapeHtml(t.warningIntro)}</h2>
${signs}
<fieldset><legend>${escapeHtml(t.freeText)}</legend>
<textarea name="free_text" maxlength="${FREE_TEXT_MAX}">${escapeHtml(v.free_text ?? '')}</textarea></fieldset>
<fieldset><legend>${escapeHtml(p.label)}</legend>
<p class="note" id="photos-hint">${escapeHtml(p.invite)} ${escapeHtml(p.hint)}</p>
<input type="file" name="photos" accept="image/jpeg,image/png,image/heic,image/heif,.heic,.heif,.jpg,.jpeg,.png" multiple aria-describedby="photos-hint"></fieldset>
<button type="submit">${escapeHtml(t.submit)}</button>
</form>`,
    { lang: localeOf(opts.locale) },
  );
}

export function thanksPage(locale: string, clinicName: string, safetyAdvice: string | null): string {
  const t = textsFor(locale).thanks;
  const advice = safetyAdvice
    ? `<div class="advice" role="alert"><strong>${escapeHtml(t.actNow)}</strong><p>${escapeHtml(safetyAdvice)}</p></div>`
    : '';
  return page(t.title, `<h1>${escapeHtml(t.title)}</h1>${advice}<p>${escapeHtml(fill(t.reached, { clinic: clinicName }))}</p>`, {
    lang: localeOf(locale),
  });
}

export function closedPage(locale: string, state: ClosedState): string {
  const { title, text } = textsFor(locale).closed[state];
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>`, { lang: localeOf(locale) });
}
