// Who is acting: the session (or the command line's signed-in account) on whose behalf the current
// request runs, carried through async calls so every audit record names its actor without each
// domain service threading it through. Nothing outside a request has an actor: that is `system`.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Role } from '../../src-preload/contract';

export interface Actor {
  username: string;
  role: Role;
  sessionId: string | null;
  emergency: boolean;
}

const acting = new AsyncLocalStorage<Actor | null>();

export function runAs<T>(actor: Actor | null, work: () => T): T {
  return acting.run(actor, work);
}

export function currentActor(): Actor | null {
  return acting.getStore() ?? null;
}
