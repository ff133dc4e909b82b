/** What every part of the chaos run (bench/chaos.ts) shares: its size, its time limits, where logs go, and how it reports. */
import os from 'node:os';
import path from 'node:path';

export const N = Number(process.env.CHAOS_CHECKINS ?? 2000);
export const CLINICS = Math.max(1, Math.min(N, Number(process.env.CHAOS_CLINICS ?? 50)));
export const GRACE_MS = 5_000;
export const ROOT = path.resolve(__dirname, '..', '..');
export const LOGS = path.join(os.tmpdir(), 'aftercare-chaos');
// Scaled with the size: at 10k on a loaded 2-core machine a scenario's slice takes many minutes.
export const SCENARIO_TIMEOUT_MS = Number(process.env.CHAOS_SCENARIO_TIMEOUT_MS ?? Math.max(10 * 60_000, N * 300));
// ts-node transpiling the whole service takes minutes when eight engineers share two cores.
export const READY_TIMEOUT_MS = Number(process.env.CHAOS_READY_TIMEOUT_MS ?? 300_000);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const secs = (ms: number) => (ms / 1000).toFixed(1) + ' s';
export const log = (...a: unknown[]) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}]`, ...a);
