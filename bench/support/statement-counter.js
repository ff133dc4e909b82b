/**
 * Preloaded into a bench's service instance (NODE_OPTIONS=--require this file): counts every SQL
 * statement the instance's pg clients send, by its text (BENCH_STATEMENTS_TRACE=1) or first word,
 * and on SIGUSR2 writes the counts so far to BENCH_STATEMENTS_FILE (JSON, cumulative; the bench
 * takes the difference of two). With BENCH_STATEMENTS_PROFILE=dir, the first SIGUSR2 also starts
 * a CPU profile and the second writes it to dir (node refuses --cpu-prof in NODE_OPTIONS).
 * Plain JavaScript: it runs before the compiled service.
 */
'use strict';
const { writeFileSync, renameSync } = require('node:fs');
const { Client } = require('pg');

const file = process.env.BENCH_STATEMENTS_FILE;
const trace = process.env.BENCH_STATEMENTS_TRACE === '1';
const counts = new Map();
const original = Client.prototype.query;
Client.prototype.query = function (...args) {
  const q = args[0];
  const text = typeof q === 'string' ? q : q && typeof q === 'object' && 'text' in q ? String(q.text) : '';
  const key = trace ? text.replace(/\s+/g, ' ').trim().slice(0, 200) : (text.trim().split(/\s+/)[0] || '?').toUpperCase();
  counts.set(key, (counts.get(key) || 0) + 1);
  return original.apply(this, args);
};
const profileDir = process.env.BENCH_STATEMENTS_PROFILE;
let session = null;
function toggleProfile() {
  const inspector = require('node:inspector');
  if (!session) {
    session = new inspector.Session();
    session.connect();
    session.post('Profiler.enable', () => session.post('Profiler.start'));
    return;
  }
  session.post('Profiler.stop', (err, res) => {
    if (!err) writeFileSync(require('node:path').join(profileDir, `replies-${process.pid}.cpuprofile`), JSON.stringify(res.profile));
    session.disconnect();
    session = null;
  });
}
if (file) {
  process.on('SIGUSR2', () => {
    writeFileSync(file + '.tmp', JSON.stringify(Object.fromEntries(counts)));
    renameSync(file + '.tmp', file);
    if (profileDir) toggleProfile();
  });
}
