import { AdverseEvent } from './adverse-event';
import { CSV_COLUMNS, csvCell, csvHeader, csvRow } from './csv';

describe('adverse-event CSV', () => {
  it('quotes per RFC 4180 and doubles quotes', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(3)).toBe('3');
    expect(csvCell(new Date('2026-03-03T09:30:00Z'))).toBe('2026-03-03T09:30:00.000Z');
  });

  it('defuses cells a spreadsheet would run as formulas', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
    expect(csvCell('a=b')).toBe('a=b');
  });

  it('writes one CRLF-terminated line per event, in header order', () => {
    const e: AdverseEvent = {
      id: 'f1',
      ruleId: 'severe-symptom',
      ruleVersion: 1,
      priority: 'high',
      status: 'resolved',
      reason: 'Severe pain, day 1',
      patientId: 'p1',
      treatmentId: 't1',
      treatment: { procedure: 'mesotherapy', indication: 'cellulite', bodyAreas: ['thighs', 'buttocks'], product: '=A', lotNumber: 'L1', technique: null, formula: null, performedAt: new Date('2026-03-02T08:00:00Z'), practitionerId: 's1', practitionerName: 'Dr, A' },
      onsetAt: new Date('2026-03-03T09:30:00Z'),
      onsetDay: 1,
      reportedAt: new Date('2026-03-03T09:30:00Z'),
      acknowledgedAt: null,
      resolvedAt: null,
      outcome: 'seen_in_clinic',
      assessment: { causality: 'related', seriousness: 'serious', seriousnessCriteria: ['hospitalisation', 'medically_important'], note: null, assessedAt: new Date('2026-03-04T09:00:00Z'), assessedBy: 's1' },
      answers: [
        { id: 'r1', source: 'form', receivedAt: new Date('2026-03-03T09:30:00Z'), daySinceTreatment: 1, scores: { bruising: 1, redness: 0, itching: null, burning: 0, pain: 3 }, warningSigns: [] },
        { id: 'r2', source: 'sms', receivedAt: new Date('2026-03-05T09:30:00Z'), daySinceTreatment: 3, scores: { bruising: 2, redness: 0, itching: null, burning: 0, pain: 2 }, warningSigns: ['fever'] },
      ],
    };
    const line = csvRow(e);
    expect(line.endsWith('\r\n')).toBe(true);
    expect(csvHeader().trimEnd().split(',')).toEqual([...CSV_COLUMNS]);
    const cells = line.trimEnd().split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/);
    expect(cells).toHaveLength(CSV_COLUMNS.length);
    const at = (c: (typeof CSV_COLUMNS)[number]) => cells[CSV_COLUMNS.indexOf(c)];
    expect(at('product')).toBe("'=A");
    expect(at('practitioner_name')).toBe('"Dr, A"');
    expect(at('body_areas')).toBe('thighs;buttocks');
    expect(at('seriousness_criteria')).toBe('hospitalisation;medically_important');
    expect(at('response_ids')).toBe('r1;r2');
    expect([at('max_bruising'), at('max_itching'), at('max_pain')]).toEqual(['2', '', '3']);
    expect(at('warning_signs')).toBe('fever');
  });
});
