// The handler of every channel, typed from the contract: a missing or extra channel is a compile
// error. Handlers receive requests already parsed and a session already checked by the registry.
import type { Channel, ParsedRequestOf, ResultOf } from '../../src-preload/contract';
import type { Session } from '../access/sessions';
import type { AppServices } from '../services';
import { fail } from '../lib/errors';
import { accessHandlers } from '../access/handlers';
import { inventoryHandlers } from '../inventory/handlers';
import { auditHandlers } from '../audit/handlers';
import { networkHandlers } from '../network/handlers';
import { provisioningHandlers } from '../provisioning/handlers';

export interface HandlerContext {
  clientId: string;
  services: AppServices;
  /** Present on every channel whose permission is not `public`. */
  session: Session | undefined;
}

export type Handler<C extends Channel> = (
  request: ParsedRequestOf<C>,
  context: HandlerContext,
) => ResultOf<C> | Promise<ResultOf<C>>;

export type Handlers = { [C in Channel]: Handler<C> };
export type HandlerGroup<C extends Channel> = { [K in C]: Handler<K> };

export function createHandlers(): Handlers {
  return mergeHandlerGroups(
    accessHandlers,
    inventoryHandlers,
    auditHandlers,
    networkHandlers,
    provisioningHandlers,
  ) as Handlers;
}

/** Two domains claiming one channel is a wiring mistake: refuse it at start-up. */
export function mergeHandlerGroups(...groups: object[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const group of groups) {
    for (const [channel, handler] of Object.entries(group)) {
      if (channel in merged) throw new Error(`two handlers registered for ${channel}`);
      merged[channel] = handler;
    }
  }
  return merged;
}

export function requireSession(context: HandlerContext): Session {
  if (!context.session) fail('session.required', 'sign in first');
  return context.session;
}
