import type { components } from '../api/schema';
import { SYMPTOM_LABELS, WARNING_SIGN_LABELS, type Symptom } from '../ui/SymptomChart';
import { dateTime, OUTCOME_WORDS, type Outcome } from './words';

/** Why a flag was raised, as the flag page shows it: the rule's evidence, the photos and the history's details in words. */

/** A history entry's note, text, reason or outcome in words, after a colon; empty without one. */
export function historyDetail(data: Record<string, unknown>): string {
  const words = ['note', 'text', 'reason', 'outcome'].map((k) => data[k]).filter((v): v is string => typeof v === 'string' && v.length > 0);
  return words.length ? `: ${words.map((w) => OUTCOME_WORDS[w as Outcome] ?? w).join(' — ')}` : '';
}

/** The rules' evidence keys (src/flags/rules.ts) in a practitioner's words; ids are left out. */
const EVIDENCE_WORDS: Record<string, string> = {
  signs: 'Warning signs',
  ticked: 'Ticked on the form',
  fromText: 'Read in their words',
  onlyInText: 'Only in their words, not ticked',
  freeText: 'Their words',
  readings: 'How their words were read',
  severe: 'Severe',
  threshold: 'Severe from score',
  daySinceTreatment: 'Day since treatment',
  above: 'Above the usual course',
  worsened: 'Worse than the check-in before',
  reachedSevere: 'Now severe',
  minimumRise: 'Smallest rise that counts',
  previousDaySinceTreatment: 'Compared with day',
  persisting: 'Still present',
  quietSinceDay: 'Well since day',
  quietAnswerDays: 'Well on days',
  steps: 'Unanswered check-ins (steps)',
};
const HIDDEN_EVIDENCE = new Set(['history', 'messageId', 'checkInIds']);

type Photo = components['schemas']['PhotoLinkDto'];

/** The patient's photos with the answer: short-lived signed links, each opening audited as a read. */
export function Photos({ photos }: { photos: Photo[] }) {
  return (
    <>
      <h3>Photos sent with the answer</h3>
      <ul className="flag-photos">
        {photos.map((p) => (
          <li key={p.id}>
            <a href={p.url} target="_blank" rel="noopener noreferrer">
              <img
                src={p.url}
                width={p.width}
                height={p.height}
                alt={`Photo ${p.position} of ${photos.length} the patient sent ${p.source === 'mms' ? 'by MMS' : 'with the form'}, ${dateTime(p.createdAt)}`}
              />
            </a>
          </li>
        ))}
      </ul>
      <p className="muted">Photos are re-encoded without location or camera data. Opening one is recorded in the audit log; the links expire after a few minutes.</p>
    </>
  );
}

/** The rule's evidence for the flag, each key in a practitioner's words. */
export function Evidence({ evidence }: { evidence: Record<string, unknown> }) {
  const entries = Object.entries(evidence).filter(([k, v]) => !HIDDEN_EVIDENCE.has(k) && v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0));
  if (!entries.length) return null;
  return (
    <dl className="dl-grid">
      {entries.map(([k, v]) => (
        <div key={k} style={{ display: 'contents' }}>
          <dt>{EVIDENCE_WORDS[k] ?? k.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase())}</dt>
          <dd>{formatValue(v)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** "Pain 3 (usual up to 1)", "Bruising 1→3", a warning sign's words, or the value as it is. */
function formatItem(x: unknown): string {
  if (typeof x === 'string') return WARNING_SIGN_LABELS[x] ?? SYMPTOM_LABELS[x as Symptom] ?? x;
  if (x && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    const name = typeof o.symptom === 'string' ? (SYMPTOM_LABELS[o.symptom as Symptom] ?? o.symptom) : null;
    if (name && typeof o.from === 'number' && typeof o.to === 'number') return `${name} ${o.from}→${o.to}`;
    if (name && typeof o.score === 'number') {
      const extra = typeof o.expectedMax === 'number' ? ` (usual up to ${o.expectedMax})` : typeof o.windowEnd === 'number' ? ` (usually gone by day ${o.windowEnd})` : '';
      return `${name} ${o.score}${extra}`;
    }
    if (typeof o.sign === 'string' && typeof o.words === 'string' && typeof o.status === 'string') {
      // The sign reader's verdict on the patient's own words (src/protocols/sign-reader.ts).
      const sign = WARNING_SIGN_LABELS[o.sign] ?? o.sign;
      const cue = typeof o.cue === 'string' ? ` ("${o.cue}")` : '';
      const verdict = o.status === 'negated' ? `said no${cue}, not counted` : o.status === 'hedged' ? `unsure${cue}, counted` : 'counted';
      return `“${o.words}”: ${sign} — ${verdict}`;
    }
    return Object.entries(o).map(([a, b]) => `${a}: ${String(b)}`).join(', ');
  }
  return String(x);
}

function formatValue(v: unknown): string {
  if (Array.isArray(v)) return v.map(formatItem).join(', ');
  return formatItem(v);
}
