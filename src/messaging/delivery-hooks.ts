import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { FailureKind } from './delivery-failure';
import type { Message, MessagePurpose } from './message.entity';

export type DeliveryVerdict = { send: true; validitySeconds?: number } | { cancel: string } | { notBefore: Date };
/** Whether a queued message is still wanted, and when it may go (it may have waited hours). */
export type DeliveryGuard = (message: Message) => Promise<DeliveryVerdict>;

export interface DeliveryFailure {
  kind: FailureKind;
  code: string | null;
  /** At the send itself, or later in the provider's status report. */
  via: 'send' | 'callback';
}
/** Called inside the transaction that records a failure, so its consequences land with it. */
export type FailureHook = (tx: EntityManager, message: Message, failure: DeliveryFailure) => Promise<void>;

/**
 * What messaging asks of the features above it, which it may not import: per purpose, a guard
 * deciding whether a queued message still goes; and one hook told of every failed delivery.
 * Each is registered once, all of them in one place: src/triage/loop-wiring.ts. A second
 * registration for the same purpose (or a second failure hook) throws instead of replacing the first.
 */
@Injectable()
export class DeliveryHooks {
  private readonly guards = new Map<MessagePurpose, DeliveryGuard>();
  private failureHook: FailureHook | null = null;

  guard(purpose: MessagePurpose, guard: DeliveryGuard): void {
    if (this.guards.has(purpose)) throw new Error(`A delivery guard for '${purpose}' is already registered (see src/triage/loop-wiring.ts)`);
    this.guards.set(purpose, guard);
  }

  onFailure(hook: FailureHook): void {
    if (this.failureHook) throw new Error('A delivery failure hook is already registered (see src/triage/loop-wiring.ts)');
    this.failureHook = hook;
  }

  /** A message whose purpose has no guard always goes. */
  async verdictFor(message: Message): Promise<DeliveryVerdict> {
    return (await this.guards.get(message.purpose)?.(message)) ?? { send: true };
  }

  async failed(tx: EntityManager, message: Message, failure: DeliveryFailure): Promise<void> {
    await this.failureHook?.(tx, message, failure);
  }
}
