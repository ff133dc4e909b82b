import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { PeriodicPass, PeriodicService } from './periodic-pass';

describe('PeriodicPass', () => {
  it('shares the pass under way and starts a new one after it ends', async () => {
    const pass = new PeriodicPass<number>('test-pass', new Logger('test'));
    let calls = 0;
    let release!: () => void;
    const work = () => new Promise<number>((resolve) => { calls++; release = () => resolve(calls); });
    const a = pass.run(work);
    const b = pass.run(work);
    release();
    expect(await a).toBe(1);
    expect(await b).toBe(1);
    const c = pass.run(work);
    release();
    expect(await c).toBe(2);
  });

  it('registers its timer by name, none at 0, and stop removes it after the pass ends', async () => {
    const scheduler = new SchedulerRegistry();
    const pass = new PeriodicPass<void>('test-timer', new Logger('test'));
    pass.schedule(scheduler, 0, async () => undefined);
    expect(scheduler.doesExist('interval', 'test-timer')).toBe(false);
    pass.schedule(scheduler, 60_000, async () => undefined);
    expect(scheduler.doesExist('interval', 'test-timer')).toBe(true);
    await pass.stop(scheduler);
    expect(scheduler.doesExist('interval', 'test-timer')).toBe(false);
  });

  it('PeriodicService starts its timer at bootstrap, runs tick on it, and stops it at shutdown', async () => {
    const scheduler = new SchedulerRegistry();
    class Counter extends PeriodicService<number> {
      calls = 0;
      constructor(intervalMs: number) {
        super('test-service', 'test', { scheduler, intervalMs });
      }
      tick(): Promise<number> {
        return this.pass.run(async () => ++this.calls);
      }
      stopTimer(): void {
        this.unschedule();
      }
    }
    const off = new Counter(0);
    off.onApplicationBootstrap();
    expect(scheduler.doesExist('interval', 'test-service')).toBe(false);
    const on = new Counter(60_000);
    on.onApplicationBootstrap();
    expect(scheduler.doesExist('interval', 'test-service')).toBe(true);
    expect(await on.tick()).toBe(1);
    on.stopTimer();
    expect(scheduler.doesExist('interval', 'test-service')).toBe(false);
    on.onApplicationBootstrap();
    await on.onApplicationShutdown();
    expect(scheduler.doesExist('interval', 'test-service')).toBe(false);
  });
});
