import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { MmsIntake, MMS_RETRY_DELAYS_MS } from '../src/photos/mms-intake.service';
import { createTestApp, TestApp } from './support/app';
import { linkIn, newClinic, newPatient, newTreatment, TestClinic } from './support/factories';
import { FORM, hasGpsTag, HEIC, jpegWithGps, png } from './support/photos';

/**
 * Photos with answers (issue 13 §2): the form's upload (multipart), MMS media through the local
 * Twilio API's media URLs, EXIF gone in what is stored, signed links that expire and are audited
 * when opened, the access export, erasure and legal hold, and the FHIR export.
 * (The S3 store against an S3-compatible server: photos-s3.e2e-spec.ts.)
 */

describe('photos with answers', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ start: '2026-03-02T08:00:00Z' });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A patient treated now and asked the day-1 check-in by `channel`; returns the form link. */
  async function asked(c: TestClinic, channel: 'email' | 'sms' = 'email') {
    t.clock.set('2026-03-02T08:00:00Z');
    const p = await newPatient(t, c, { preferredChannel: channel });
    const tr = await newTreatment(t, c, p.id);
    t.clock.set('2026-03-03T09:00:00Z');
    await t.dispatcher.tick();
    const text = channel === 'sms' ? t.twilioApi.to(p.phone!).at(-1)!.params.Body : t.smtp.to(p.email!).at(-1)!.parsed.text!;
    return { p, tr, link: linkIn(text) };
  }

  function postForm(link: string, fields: Record<string, string>, files: Array<{ bytes: Buffer; name: string; type?: string }>) {
    const req = t.http.post(link);
    for (const [k, v] of Object.entries(fields)) req.field(k, v);
    for (const f of files) req.attach('photos', f.bytes, { filename: f.name, contentType: f.type ?? 'image/jpeg' });
    return req;
  }

  const responsesOf = async (c: TestClinic, patientId: string) =>
    (await t.http.get(`/v1/patients/${patientId}/responses`).set(c.practitioner.auth).expect(200)).body.items as Array<{ id: string }>;
  const timelineResponses = async (c: TestClinic, patientId: string) =>
    ((await t.http.get(`/v1/patients/${patientId}/timeline`).set(c.practitioner.auth).expect(200)).body.items as Array<Record<string, any>>).filter((i) => i.type === 'response');
  const photoRows = (patientId: string) =>
    t.db.query(`SELECT p.*, d.data FROM response_photos p LEFT JOIN response_photo_data d ON d.photo_id = p.id WHERE p.patient_id = $1 ORDER BY p.position`, [patientId]);

  describe('the form', () => {
    it('offers a photo field in a multipart form, with the invitation, in the patient’s language', async () => {
      const c = await newClinic(t);
      const { link } = await asked(c);
      const page = await t.http.get(link).expect(200);
      expect(page.text).toContain('enctype="multipart/form-data"');
      expect(page.text).toMatch(/<input type="file" name="photos" accept="[^"]*image\/heic[^"]*" multiple/);
      expect(page.text).toContain('If you can, send a photo of the area.');
      const { link: deLink } = await (async () => {
        t.clock.set('2026-03-02T08:00:00Z');
        const p = await newPatient(t, c, { preferredChannel: 'email', locale: 'de' });
        await newTreatment(t, c, p.id);
        t.clock.set('2026-03-03T09:00:00Z');
        await t.dispatcher.tick();
        return { link: linkIn(t.smtp.to(p.email!).at(-1)!.parsed.text!) };
      })();
      expect((await t.http.get(deLink).expect(200)).text).toContain('Wenn möglich, senden Sie ein Foto der Stelle.');
    });

    it('stores a JPEG re-encoded without EXIF (no GPS, no camera), a PNG and a HEIC with the answer', async () => {
      const c = await newClinic(t);
      const { p, link } = await asked(c);
      const jpeg = await jpegWithGps();
      const sent = await sharp(jpeg).metadata();
      expect(sent.exif && hasGpsTag(sent.exif)).toBe(true);
      const res = await postForm(link, FORM, [
        { bytes: jpeg, name: 'IMG_0001.jpg' },
        { bytes: await png(), name: 'screen.png', type: 'image/png' },
        // The browser's claimed type means nothing: it is sniffed.
        { bytes: HEIC, name: 'IMG_0002.HEIC', type: 'application/octet-stream' },
      ]).expect(200);
      expect(res.text).toContain('Thank you');
      const rows = await photoRows(p.id);
      expect(rows.map((r: any) => r.original_type)).toEqual(['image/jpeg', 'image/png', 'image/heic']);
      const [response] = await responsesOf(c, p.id);
      for (const r of rows) {
        expect(r.response_id).toBe(response.id);
        expect(r.clinic_id).toBe(c.clinic.id);
        expect(r.storage).toBe('postgres');
        const meta = await sharp(r.data).metadata();
        expect(meta.format).toBe('jpeg');
        expect(meta.exif).toBeUndefined();
        expect(meta.icc).toBeUndefined();
        expect(r.data.includes(Buffer.from('PhoneCo'))).toBe(false);
        expect(r.data.includes(Buffer.from('Exif\0\0'))).toBe(false);
      }
      expect([rows[0].width, rows[0].height]).toEqual([640, 480]);
      expect([rows[2].width, rows[2].height]).toEqual([96, 64]);
    });

    it('answers without photos still work, urlencoded as before', async () => {
      const c = await newClinic(t);
      const { p, link } = await asked(c);
      await t.http.post(link).type('form').send(FORM).expect(200);
      expect(await responsesOf(c, p.id)).toHaveLength(1);
      expect(await photoRows(p.id)).toHaveLength(0);
    });

    it.each([
      ['a .exe renamed .jpg', 415, () => [{ bytes: Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00'), randomBytes(2048)]), name: 'photo.jpg' }], 'is not a photo'],
      ['a photo of 11 MB', 413, async () => [{ bytes: Buffer.concat([await jpegWithGps(), randomBytes(11 * 1024 * 1024)]), name: 'big.jpg' }], 'larger than 10 MB'],
      ['four photos', 400, async () => Array.from({ length: 4 }, async (_, i) => ({ bytes: await png(), name: `p${i}.png`, type: 'image/png' })), 'at most 3 photos'],
      ['a damaged JPEG', 400, () => [{ bytes: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2, 3]), name: 'broken.jpg' }], 'could not be read'],
    ])('refuses %s with a clear page and stores nothing, answers kept filled in', async (_name, status, make, words) => {
      const c = await newClinic(t);
      const { p, link } = await asked(c);
      const files = await Promise.all(await make());
      const res = await postForm(link, { ...FORM, free_text: 'it itches a bit' }, files).expect(status);
      expect(res.type).toBe('text/html');
      expect(res.text).toContain(words);
      expect(res.text).toContain('please choose the photos again');
      expect(res.text).toContain('it itches a bit');
      expect(res.text).toMatch(/value="2" required checked/);
      expect(await responsesOf(c, p.id)).toHaveLength(0);
      expect(await photoRows(p.id)).toHaveLength(0);
      // The link still works: the patient can send again.
      await t.http.post(link).type('form').send(FORM).expect(200);
    });

    it('the form page still passes its CSP (no inline script or style added)', async () => {
      const c = await newClinic(t);
      const { link } = await asked(c);
      const page = await t.http.get(link).expect(200);
      expect(page.headers['content-security-policy']).toContain("form-action 'self'");
      expect(page.text).not.toMatch(/<script|style="/);
    });
  });

  describe('links for staff', () => {
    it('the flag and the timeline show the photos beside the answer as signed links that expire; each view is audited', async () => {
      const c = await newClinic(t);
      const { p, link } = await asked(c);
      await postForm(link, { ...FORM, ws_spreading_redness: 'yes' }, [{ bytes: await jpegWithGps(), name: 'a.jpg' }]).expect(200);
      const flags = (await t.http.get('/v1/flags?limit=200').set(c.practitioner.auth).expect(200)).body.items.filter((f: any) => f.patientId === p.id);
      expect(flags.length).toBeGreaterThan(0);
      const flag = (await t.http.get(`/v1/flags/${flags[0].id}`).set(c.practitioner.auth).expect(200)).body;
      expect(flag.photos).toHaveLength(1);
      expect(flag.photos[0]).toMatchObject({ responseId: flag.responseId, contentType: 'image/jpeg', originalType: 'image/jpeg', width: 640, height: 480 });
      const [item] = await timelineResponses(c, p.id);
      expect(item.photos).toHaveLength(1);
      expect(item.photos[0].id).toBe(flag.photos[0].id);

      const url: string = flag.photos[0].url;
      const img = await t.http.get(url).buffer(true).parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      }).expect(200);
      expect(img.headers['content-type']).toBe('image/jpeg');
      expect(img.headers['cache-control']).toBe('private, no-store');
      expect((await sharp(img.body as Buffer).metadata()).exif).toBeUndefined();

      const views = (await t.http.get(`/v1/audit-events?limit=200&action=photo.viewed`).set(c.compliance.auth).expect(200)).body.items;
      const mine = views.filter((e: any) => e.entityId === flag.photos[0].id);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ actorType: 'staff', actorId: c.practitioner.id, entityType: 'photo' });

      // Tampered: another photo id, clinic or viewer under the same signature.
      await t.http.get(url.replace(/a=staff%3A[0-9a-f-]+/, `a=staff%3A${c.admin.id}`)).expect(403);
      await t.http.get(url.replace(/s=[^&]+/, 's=' + 'A'.repeat(43))).expect(403);
      // Five minutes later the link is dead; a fresh read of the flag gives a new one.
      t.clock.advance(301_000);
      expect((await t.http.get(url).expect(410)).body.message).toContain('expired');
      const again = (await t.http.get(`/v1/flags/${flags[0].id}`).set(c.practitioner.auth).expect(200)).body;
      await t.http.get(again.photos[0].url).expect(200);
      // Another clinic's staff see nothing of it.
      const other = await newClinic(t);
      await t.http.get(`/v1/flags/${flags[0].id}`).set(other.practitioner.auth).expect(404);
    });
  });

  describe('MMS', () => {
    function mms(c: TestClinic, from: string, body: string, urls: string[]) {
      const params: Record<string, string> = { MessageSid: 'MM' + randomBytes(16).toString('hex'), From: from, To: c.smsNumber, Body: body, NumMedia: String(urls.length) };
      urls.forEach((u, i) => {
        params[`MediaUrl${i}`] = u;
        params[`MediaContentType${i}`] = 'image/jpeg';
      });
      return t.twilioWebhook('/webhooks/twilio/sms', params);
    }
    /** The queued media fetched (the webhook only queued them): what the intake's timer, or its kick after the webhook, does. */
    const intake = () => t.get(MmsIntake).tick();

    it('fetches the media with the account’s credentials and stores them with the SMS answer, without EXIF', async () => {
      const c = await newClinic(t);
      const { p } = await asked(c, 'sms');
      const url = t.twilioApi.addMedia(await jpegWithGps());
      const before = t.twilioApi.mediaRequests.length;
      await mms(c, p.phone!, '1 2 0 0 1', [url]).expect(200);
      await intake();
      const fetched = t.twilioApi.mediaRequests.slice(before);
      expect(fetched).toHaveLength(1);
      expect(fetched[0].authorized).toBe(true);
      // The media URL needs the account's credentials: without them (or with others) it is refused.
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: { Authorization: 'Basic ' + Buffer.from('ACx:wrong').toString('base64') } })).status).toBe(401);
      const rows = await photoRows(p.id);
      const [response] = await responsesOf(c, p.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ response_id: response.id, source: 'mms', original_type: 'image/jpeg' });
      expect(rows[0].message_id).toBeTruthy();
      expect((await sharp(rows[0].data).metadata()).exif).toBeUndefined();
    });

    it('a photo sent after the answer joins it; a refused medium is on the record and the answer is kept', async () => {
      const c = await newClinic(t);
      const { p } = await asked(c, 'sms');
      await mms(c, p.phone!, '1 2 0 0 1', [t.twilioApi.addMedia(Buffer.from('not a picture at all'), 'image/jpeg')]).expect(200);
      expect(await intake()).toEqual({ stored: 0, retried: 0, refused: 1 });
      const [response] = await responsesOf(c, p.id);
      expect(response).toBeTruthy();
      expect(await photoRows(p.id)).toHaveLength(0);
      const refused = (await t.http.get(`/v1/audit-events?limit=200&action=photos.refused`).set(c.compliance.auth).expect(200)).body.items;
      expect(refused).toHaveLength(1);
      expect(JSON.stringify(refused[0].data)).toContain('not a JPEG, PNG or HEIC');

      t.clock.advanceHours(2);
      const sent = t.twilioApi.requests.length;
      await mms(c, p.phone!, '', [t.twilioApi.addMedia(HEIC, 'image/heic')]).expect(200);
      await intake();
      const rows = await photoRows(p.id);
      expect(rows).toHaveLength(1);
      expect(rows[0].response_id).toBe(response.id);
      // No "we could not read your reply" for a picture.
      expect(t.twilioApi.requests.length).toBe(sent);
    });

    it('a picture with no answer to join raises a flag for a person, which shows it', async () => {
      const c = await newClinic(t);
      const { p } = await asked(c, 'sms');
      await mms(c, p.phone!, '', [t.twilioApi.addMedia(await png(), 'image/png')]).expect(200);
      await intake();
      const flags = (await t.http.get('/v1/flags?limit=200').set(c.practitioner.auth).expect(200)).body.items.filter((f: any) => f.patientId === p.id);
      expect(flags).toEqual([expect.objectContaining({ ruleId: 'photo-without-answer', responseId: null })]);
      const flag = (await t.http.get(`/v1/flags/${flags[0].id}`).set(c.practitioner.auth).expect(200)).body;
      expect(flag.photos).toEqual([expect.objectContaining({ messageId: flag.messageId, responseId: null, originalType: 'image/png' })]);
      await t.http.get(flag.photos[0].url).expect(200);
      const timeline = (await t.http.get(`/v1/patients/${p.id}/timeline`).set(c.practitioner.auth).expect(200)).body.items;
      expect(timeline.find((i: any) => i.type === 'message' && i.id === flag.messageId).photos).toHaveLength(1);
    });

    it('refuses media from anywhere but Twilio (the credentials go nowhere else); the answer is kept', async () => {
      const c = await newClinic(t);
      const { p } = await asked(c, 'sms');
      await mms(c, p.phone!, '0 0 0 0 0', ['https://evil.example/steal.jpg']).expect(200);
      expect(await intake()).toEqual({ stored: 0, retried: 0, refused: 1 });
      expect(await photoRows(p.id)).toHaveLength(0);
      const refused = (await t.http.get(`/v1/audit-events?limit=200&action=photos.refused`).set(c.compliance.auth).expect(200)).body.items;
      expect(JSON.stringify(refused[0].data)).toContain('not on');
      expect(await responsesOf(c, p.id)).toHaveLength(1);
    });

    it('the webhook answers Twilio without waiting for the media: a slow media store is fetched afterwards, once', async () => {
      const c = await newClinic(t);
      const { p } = await asked(c, 'sms');
      const url = t.twilioApi.addMedia(await jpegWithGps());
      t.twilioApi.mediaDelayMs = 3000;
      try {
        const sid = 'MM' + randomBytes(16).toString('hex');
        const post = () =>
          t.twilioWebhook('/webhooks/twilio/sms', { MessageSid: sid, From: p.phone!, To: c.smsNumber, Body: '1 2 0 0 1', NumMedia: '1', MediaUrl0: url, MediaContentType0: 'image/jpeg' });
        const t0 = Date.now();
        await post().expect(200);
        expect(Date.now() - t0).toBeLessThan(2500);
        // Twilio retries a webhook it thinks was lost: the text is stored once, its media queued once.
        await post().expect(200);
        await intake();
      } finally {
        t.twilioApi.mediaDelayMs = 0;
      }
      const [response] = await responsesOf(c, p.id);
      const rows = await photoRows(p.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ response_id: response.id, source: 'mms', position: 1 });
      const queued = await t.db.query(`SELECT status, attempts FROM mms_media_fetches WHERE patient_id = $1`, [p.id]);
      expect(queued).toEqual([{ status: 'stored', attempts: 1 }]);
    });

    it('media Twilio does not give yet (5xx) are tried again later; after the last try they are refused, on the record, the answer kept', async () => {
      const c = await newClinic(t);
      const { p } = await asked(c, 'sms');
      // Twilio's media store fails twice, then serves the picture.
      t.twilioApi.mediaFailures.push(503, 500);
      await mms(c, p.phone!, '1 0 0 0 1', [t.twilioApi.addMedia(await png(), 'image/png')]).expect(200);
      expect(await intake()).toEqual({ stored: 0, retried: 1, refused: 0 });
      expect(await intake()).toEqual({ stored: 0, retried: 0, refused: 0 }); // not due yet
      t.clock.advanceHours(MMS_RETRY_DELAYS_MS[0] / 3600_000);
      expect(await intake()).toEqual({ stored: 0, retried: 1, refused: 0 });
      t.clock.advanceHours(MMS_RETRY_DELAYS_MS[1] / 3600_000);
      expect(await intake()).toEqual({ stored: 1, retried: 0, refused: 0 });
      const [response] = await responsesOf(c, p.id);
      expect(await photoRows(p.id)).toEqual([expect.objectContaining({ response_id: response.id, original_type: 'image/png' })]);

      // A medium that never comes: every try fails, then it is refused with why.
      const q = await newPatient(t, c, { preferredChannel: 'sms' });
      t.twilioApi.mediaFailures.push(...Array(MMS_RETRY_DELAYS_MS.length + 1).fill(503));
      await mms(c, q.phone!, 'hello there', [t.twilioApi.addMedia(await png(), 'image/png')]).expect(200);
      for (const delay of MMS_RETRY_DELAYS_MS) {
        expect(await intake()).toMatchObject({ retried: 1 });
        t.clock.advanceHours(delay / 3600_000);
      }
      expect(await intake()).toEqual({ stored: 0, retried: 0, refused: 1 });
      expect(await photoRows(q.id)).toHaveLength(0);
      const refused = (await t.http.get(`/v1/audit-events?limit=200&action=photos.refused`).set(c.compliance.auth).expect(200)).body.items;
      expect(JSON.stringify(refused)).toContain('media 1: could not be fetched (HTTP 503)');
    });

    it('a warning sign by SMS without a photo: the safety advice asks for one', async () => {
      const c = await newClinic(t);
      const { p } = await asked(c, 'sms');
      await t.twilioWebhook('/webhooks/twilio/sms', { MessageSid: 'SM' + randomBytes(16).toString('hex'), From: p.phone!, To: c.smsNumber, Body: '1 1 0 0 1 fever' }).expect(200);
      const advice = t.twilioApi.to(p.phone!).at(-1)!.params.Body;
      expect(advice).toContain('If you can, send a photo of the area.');
    });
  });

  describe('MMS in an instance that runs background work', () => {
    it('fetches the media right after the webhook has answered, without anyone calling the intake', async () => {
      // The background timers on (an hour apart: they do not fire during the test): the webhook kicks the intake.
      const b = await createTestApp({ start: '2026-03-02T08:00:00Z', config: { dispatchIntervalMs: 3_600_000 } });
      try {
        const c = await newClinic(b);
        const p = await newPatient(b, c, { preferredChannel: 'sms' });
        await newTreatment(b, c, p.id);
        b.clock.set('2026-03-03T09:00:00Z');
        await b.dispatcher.tick();
        const url = b.twilioApi.addMedia(await png(), 'image/png');
        await b.twilioWebhook('/webhooks/twilio/sms', { MessageSid: 'MM' + randomBytes(16).toString('hex'), From: p.phone!, To: c.smsNumber, Body: '1 0 0 0 1', NumMedia: '1', MediaUrl0: url }).expect(200);
        let rows: Array<Record<string, unknown>> = [];
        for (let i = 0; i < 100 && !rows.length; i++) {
          await new Promise((r) => setTimeout(r, 100));
          rows = await b.db.query(`SELECT response_id FROM response_photos WHERE patient_id = $1`, [p.id]);
        }
        expect(rows).toEqual([{ response_id: expect.any(String) }]);
      } finally {
        await b.close();
      }
    });
  });

  describe('patients’ rights', () => {
    it('the access export includes the photos; erasure removes them; a legal hold keeps them', async () => {
      const c = await newClinic(t);
      const { p, link } = await asked(c);
      await postForm(link, FORM, [{ bytes: await png(), name: 'a.png', type: 'image/png' }]).expect(200);
      const exp = (await t.http.get(`/v1/patients/${p.id}/export`).set(c.admin.auth).expect(200)).body;
      expect(exp.counts.photos).toBe(1);
      expect(exp.photos[0]).toMatchObject({ contentType: 'image/jpeg', originalType: 'image/png' });
      expect((await sharp(Buffer.from(exp.photos[0].dataBase64, 'base64')).metadata()).format).toBe('jpeg');

      await t.http.post(`/v1/patients/${p.id}/legal-hold`).set(c.admin.auth).send({ reason: 'Claim pending' }).expect(201);
      await t.http.post(`/v1/patients/${p.id}/erase`).set(c.admin.auth).send({ reason: 'Patient asked' }).expect(409);
      expect(await photoRows(p.id)).toHaveLength(1);
      await t.http.delete(`/v1/patients/${p.id}/legal-hold`).set(c.admin.auth).send({ reason: 'Claim settled' }).expect(200);

      const flagUrl = ((await timelineResponses(c, p.id))[0].photos as Array<{ url: string }>)[0].url;
      const erased = (await t.http.post(`/v1/patients/${p.id}/erase`).set(c.admin.auth).send({ reason: 'Patient asked' }).expect(200)).body;
      expect(erased.erasedPhotos).toBe(1);
      expect(await photoRows(p.id)).toHaveLength(0);
      expect((await t.db.query(`SELECT count(*)::int AS n FROM response_photo_data WHERE clinic_id = $1`, [c.clinic.id]))[0].n).toBe(0);
      await t.http.get(flagUrl).expect(404);
      // The answer (safety record) stays.
      expect(await responsesOf(c, p.id)).toHaveLength(1);
    });

    it('erasure: media of the patient not yet fetched are never fetched', async () => {
      const c = await newClinic(t);
      const { p } = await asked(c, 'sms');
      const url = t.twilioApi.addMedia(await png(), 'image/png');
      await t.twilioWebhook('/webhooks/twilio/sms', { MessageSid: 'MM' + randomBytes(16).toString('hex'), From: p.phone!, To: c.smsNumber, Body: '0 1 0 0 1', NumMedia: '1', MediaUrl0: url }).expect(200);
      await t.http.post(`/v1/patients/${p.id}/erase`).set(c.admin.auth).send({ reason: 'Patient asked' }).expect(200);
      const before = t.twilioApi.mediaRequests.length;
      expect(await t.get(MmsIntake).tick()).toEqual({ stored: 0, retried: 0, refused: 0 });
      expect(t.twilioApi.mediaRequests.length).toBe(before);
      expect(await photoRows(p.id)).toHaveLength(0);
    });
  });

  describe('FHIR export', () => {
    it('references the photos as Media, part of the answer, from the AdverseEvent', async () => {
      const c = await newClinic(t);
      const { p, link } = await asked(c);
      await postForm(link, { ...FORM, ws_new_lump: 'yes' }, [{ bytes: await png(), name: 'lump.png', type: 'image/png' }]).expect(200);
      const res = await t.http.get('/v1/adverse-events/export?format=fhir').set(c.compliance.auth).buffer(true).parse((r, cb) => {
        let s = '';
        r.on('data', (d: Buffer) => (s += d.toString()));
        r.on('end', () => cb(null, s));
      }).expect(200);
      const bundle = JSON.parse(res.body as string);
      // Valid FHIR R4, Media included.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const JSONSchemaValidator = require('@asymmetrik/fhir-json-schema-validator');
      const validator = new JSONSchemaValidator();
      expect(validator.validate(bundle, true)).toEqual([]);
      for (const e of bundle.entry) expect(validator.validate(e.resource)).toEqual([]);
      const media = bundle.entry.map((e: any) => e.resource).filter((r: any) => r.resourceType === 'Media');
      expect(media).toHaveLength(1);
      const [photo] = await photoRows(p.id);
      expect(media[0]).toMatchObject({ id: photo.id, status: 'completed', subject: { reference: `Patient/${p.id}` }, content: { contentType: 'image/jpeg' } });
      expect(media[0].partOf[0].reference).toBe(`urn:uuid:${photo.response_id}`);
      const ae = bundle.entry.map((e: any) => e.resource).find((r: any) => r.resourceType === 'AdverseEvent');
      expect(ae.extension).toContainEqual({ url: 'urn:aftercare:fhir:supporting-photo', valueReference: { reference: `urn:uuid:${photo.id}` } });
    });
  });
});
