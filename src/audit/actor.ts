/** Who did something, as the audit log records it: the kinds of actor, and the system's own. */
export type ActorType = 'staff' | 'integration' | 'patient' | 'system' | 'provider';

/** Every kind of actor, for validation and the API's enums. */
export const ACTOR_TYPES: ActorType[] = ['staff', 'integration', 'patient', 'system', 'provider'];

export interface Actor {
  type: ActorType;
  id: string | null;
}

/** The service itself (scheduled passes, the dispatcher): no person behind it. */
export const SYSTEM: Actor = { type: 'system', id: null };
