import { parseFormAnswers } from './form-answers';

const complete = {
  bruising: '1', redness: '0', itching: '2', burning: '0', pain: '4',
  ws_fever: 'no', ws_discharge: 'yes', ws_spreading_redness: 'no', ws_new_lump: 'no',
  ws_skin_change: 'no', ws_airway_swelling: 'no', ws_hives: 'no', free_text: '  sore  ',
};

describe('parseFormAnswers', () => {
  it('reads a complete form', () => {
    const r = parseFormAnswers(complete, 'en');
    expect(r).toEqual({
      ok: true,
      answers: { scores: { bruising: 1, redness: 0, itching: 2, burning: 0, pain: 4 }, warningSigns: ['discharge'], freeText: 'sore' },
    });
  });
  it('asks for a missing or out-of-range level', () => {
    const r = parseFormAnswers({ ...complete, pain: '5', bruising: undefined }, 'en');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toEqual(['Please choose a level for bruising.', 'Please choose a level for pain.']);
  });
  it('needs every warning sign answered', () => {
    const { ws_hives: _, ...rest } = complete;
    expect(parseFormAnswers(rest, 'en').ok).toBe(false);
  });
  it('refuses unknown fields and over-long text', () => {
    expect(parseFormAnswers({ ...complete, admin: '1' }, 'en').ok).toBe(false);
    expect(parseFormAnswers({ ...complete, free_text: 'x'.repeat(2001) }, 'en').ok).toBe(false);
  });
  it("asks in the patient's language", () => {
    const r = parseFormAnswers({ ...complete, pain: undefined, ws_hives: 'maybe' }, 'de');
    expect(r).toEqual({
      ok: false,
      errors: ['Bitte wählen Sie eine Stärke für „Schmerzen“.', 'Bitte antworten Sie mit Ja oder Nein auf „Nesselausschlag (Quaddeln)“.'],
    });
  });
  it('refuses a message with a NUL character, which the database cannot store', () => {
    expect(parseFormAnswers({ ...complete, free_text: 'sore\u0000' }, 'en')).toEqual({
      ok: false,
      errors: ['The message contains a character that cannot be stored; please remove it.'],
    });
  });
});
