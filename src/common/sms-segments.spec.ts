import { isGsm7, smsSegments, toGsm7IfPossible } from './sms-segments';

describe('smsSegments', () => {
  it('counts GSM-7: 160 septets in one segment, 153 per segment beyond', () => {
    expect(smsSegments('')).toEqual({ encoding: 'GSM-7', segments: 1, units: 0 });
    expect(smsSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', segments: 1, units: 160 });
    expect(smsSegments('a'.repeat(161))).toEqual({ encoding: 'GSM-7', segments: 2, units: 161 });
    expect(smsSegments('a'.repeat(306))).toEqual({ encoding: 'GSM-7', segments: 2, units: 306 });
    expect(smsSegments('a'.repeat(307))).toEqual({ encoding: 'GSM-7', segments: 3, units: 307 });
    expect(smsSegments('a'.repeat(459))).toEqual({ encoding: 'GSM-7', segments: 3, units: 459 });
  });

  it('keeps the letters GSM-7 has, in German, French and Spanish', () => {
    const text = 'äöüßÄÖÜ éèàùìò ñÑ ¿¡ É Ç Øø Åå Ææ @£$¥ §¤ ΔΦΓΛΩΠΨΣΘΞ _!"#%&\'()*+,-./:;<=>?\n\r';
    expect(smsSegments(text).encoding).toBe('GSM-7');
    expect(smsSegments(text).units).toBe(Array.from(text).length);
  });

  it('counts each extension character as two septets', () => {
    expect(smsSegments('€')).toEqual({ encoding: 'GSM-7', segments: 1, units: 2 });
    expect(smsSegments('^{}\\[~]|€\f')).toEqual({ encoding: 'GSM-7', segments: 1, units: 20 });
    expect(smsSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', segments: 1, units: 160 });
    expect(smsSegments('a' + '€'.repeat(80))).toEqual({ encoding: 'GSM-7', segments: 2, units: 161 });
  });

  it('never splits an escape sequence across segments', () => {
    // 152 septets then a euro: it would straddle the 153 boundary, so it opens segment two, and
    // 306 septets, which would fit two segments by division alone, need three.
    const text = 'a'.repeat(152) + '€' + 'a'.repeat(152);
    expect(smsSegments(text)).toEqual({ encoding: 'GSM-7', segments: 3, units: 306 });
    expect(smsSegments('a'.repeat(151) + '€' + 'a'.repeat(153))).toEqual({ encoding: 'GSM-7', segments: 2, units: 306 });
  });

  it('goes UCS-2 for one character outside GSM-7, 70 units in one segment and 67 beyond', () => {
    expect(smsSegments('ł')).toEqual({ encoding: 'UCS-2', segments: 1, units: 1 });
    expect(smsSegments('ł' + 'a'.repeat(69))).toEqual({ encoding: 'UCS-2', segments: 1, units: 70 });
    expect(smsSegments('ł' + 'a'.repeat(70))).toEqual({ encoding: 'UCS-2', segments: 2, units: 71 });
    expect(smsSegments('ł' + 'a'.repeat(133))).toEqual({ encoding: 'UCS-2', segments: 2, units: 134 });
    expect(smsSegments('ł' + 'a'.repeat(134))).toEqual({ encoding: 'UCS-2', segments: 3, units: 135 });
    // Characters GSM-7 lacks: French ê â î ô û ë ï ç, Spanish á í ó ú, the lower-case ç.
    for (const c of ['ê', 'â', 'î', 'ô', 'û', 'ë', 'ï', 'ç', 'á', 'í', 'ó', 'ú', '`', '’', '–', '\u00a0']) {
      expect(smsSegments(`ok ${c}`).encoding).toBe('UCS-2');
    }
  });

  it('counts a character outside the BMP as two units and keeps its pair together', () => {
    expect(smsSegments('😀')).toEqual({ encoding: 'UCS-2', segments: 1, units: 2 });
    expect(smsSegments('😀'.repeat(35))).toEqual({ encoding: 'UCS-2', segments: 1, units: 70 });
    expect(smsSegments('a' + '😀'.repeat(35))).toEqual({ encoding: 'UCS-2', segments: 2, units: 71 });
    // 66 units then an emoji: the pair would straddle 67, so it opens segment two.
    expect(smsSegments('a'.repeat(66) + '😀' + 'a'.repeat(66)).segments).toBe(3);
    expect(smsSegments('ł'.repeat(67) + '😀' + 'a'.repeat(65)).segments).toBe(2);
  });
});

describe('toGsm7IfPossible', () => {
  it('leaves GSM-7 text alone', () => {
    const text = 'Grüße, señor Müller: ¿qué tal?';
    expect(toGsm7IfPossible(text)).toBe(text);
  });

  it('replaces letters GSM-7 lacks by plain look-alikes and keeps the ones it has', () => {
    expect(toGsm7IfPossible('Michał, días, brûlure, Zoë, Çağla – “ok”')).toBe('Michal, dias, brulure, Zoe, Çagla - "ok"');
    expect(isGsm7(toGsm7IfPossible('Ærøskøbing Ļuba Łódź'))).toBe(true);
  });

  it('keeps the text as it is when some of it has no look-alike', () => {
    for (const text of ['Hola 李雷 días', 'Ok 😀 días', 'Привет, días']) expect(toGsm7IfPossible(text)).toBe(text);
  });
});
