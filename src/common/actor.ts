/** Who did something, as the audit log records it. Defined here so every layer can name it. */
export type ActorType = 'staff' | 'integration' | 'patient' | 'system' | 'provider';

/** Every kind of actor, for validation and the API's enums. */
export const ACTOR_TYPES: ActorType[] = ['staff', 'integration', 'patient', 'system', 'provider'];

export interface Actor {
  type: ActorType;
  id: string | null;
}

/** The service itself (schedules, bootstrap, the dispatcher): no person or integration. */
export const SYSTEM: Actor = { type: 'system', id: null };
