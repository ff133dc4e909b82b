import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';

/**
 * Background work on an interval: one pass at a time per process (a call while a pass is under
 * way shares it), its timer registered by name so shutdown stops it and waits for the pass.
 * Tests call the pass directly instead of waiting for the timer.
 */
export class PeriodicPass<R> {
  private running: Promise<R> | null = null;

  constructor(
    private readonly name: string,
    private readonly logger: Logger,
  ) {}

  /** Runs `pass` unless one is under way; then the caller gets that one. */
  run(pass: () => Promise<R>): Promise<R> {
    if (!this.running) this.running = pass().finally(() => (this.running = null));
    return this.running;
  }

  /** `pass` every `intervalMs`; 0 turns it off (another instance does the work). A failed pass is logged, and the next one tries again. */
  schedule(scheduler: SchedulerRegistry, intervalMs: number, pass: () => Promise<unknown>): void {
    if (intervalMs <= 0) return;
    const handle = setInterval(() => {
      pass().catch((err: unknown) => this.logger.error(`${this.name} failed: ${err instanceof Error ? err.stack : String(err)}`));
    }, intervalMs);
    scheduler.addInterval(this.name, handle);
  }

  async stop(scheduler: SchedulerRegistry): Promise<void> {
    this.unschedule(scheduler);
    await this.running?.catch(() => undefined);
  }

  /** No further passes from the timer (the one under way, if any, goes on). */
  unschedule(scheduler: SchedulerRegistry): void {
    if (scheduler.doesExist('interval', this.name)) scheduler.deleteInterval(this.name);
  }

  /** Waits for the pass under way, but not beyond `untilMs` (epoch ms); true when none is left running. */
  async settle(untilMs: number): Promise<boolean> {
    const running = this.running;
    if (!running) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, untilMs - Date.now()))));
    try {
      return await Promise.race([running.then(() => true, () => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * A service whose work runs as a PeriodicPass on a timer: the timer starts when the application
 * has started and stops (waiting for the pass under way) when it shuts down, so a subclass only
 * says what one pass does (`tick`). A subclass with more to do at start or shutdown overrides
 * the hook and calls `super`.
 */
export abstract class PeriodicService<R> implements OnApplicationBootstrap, OnApplicationShutdown {
  protected readonly logger: Logger;
  protected readonly pass: PeriodicPass<R>;

  /** `timer.intervalMs` 0 turns the timer off (another instance does the work); `tick` can still be called. */
  protected constructor(
    name: string,
    loggerContext: string,
    private readonly timer: { scheduler: SchedulerRegistry; intervalMs: number },
  ) {
    this.logger = new Logger(loggerContext);
    this.pass = new PeriodicPass<R>(name, this.logger);
  }

  /** One pass, what the timer runs; overlapping calls in one process share the pass under way. */
  abstract tick(): Promise<R>;

  onApplicationBootstrap(): void {
    this.pass.schedule(this.timer.scheduler, this.timer.intervalMs, () => this.tick());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pass.stop(this.timer.scheduler);
  }

  /** No further passes from the timer (the one under way, if any, goes on): for a subclass's own shutdown. */
  protected unschedule(): void {
    this.pass.unschedule(this.timer.scheduler);
  }
}
