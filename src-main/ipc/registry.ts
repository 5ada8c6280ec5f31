// Every channel of the contract goes through dispatch(): unknown channel, malformed payload,
// missing session, missing permission and a missing step-up are refused here with a code, before
// any handler runs, and each refusal of a signed-in user is audited; the handler then runs as its
// session's actor (see access/actor.ts); a handler's unexpected error becomes `internal` without
// its stack. The sender check happens
// in the transport (the Electron shell checks the frame; the test transport checks its token).
import { contract } from '../../src-preload/contract';
import type { Channel, Result, WardkeepError } from '../../src-preload/contract';
import { runAs } from '../access/actor';
import { roleAllows } from '../access/permissions';
import { WardkeepFailure } from '../lib/errors';
import { createLogger } from '../lib/logger';
import type { AppServices, EventListener } from '../services';
import { actorOf } from '../services';
import { createHandlers } from './handlers';
import type { HandlerContext, Handlers } from './handlers';

export interface IpcRegistry {
  dispatch(clientId: string, channel: string, payload: unknown): Promise<Result<unknown>>;
  subscribe(clientId: string, listener: EventListener): () => void;
  /** A client went away (window closed, page gone): its session ends. */
  disconnect(clientId: string): void;
}

const log = createLogger('ipc');

function isChannel(name: string): name is Channel {
  return Object.prototype.hasOwnProperty.call(contract, name);
}

export function createIpcRegistry(
  services: AppServices,
  handlers: Handlers = createHandlers(),
): IpcRegistry {
  async function dispatch(
    clientId: string,
    channel: string,
    payload: unknown,
  ): Promise<Result<unknown>> {
    if (typeof channel !== 'string' || !isChannel(channel)) {
      return {
        ok: false,
        error: {
          code: 'ipc.channel',
          message: `unknown channel ${JSON.stringify(String(channel)).slice(0, 80)}`,
        },
      };
    }
    const spec = contract[channel];
    const parsed = spec.request.safeParse(payload === undefined ? {} : payload);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .slice(0, 20)
        .map((issue) => ({ path: issue.path.map(String), message: issue.message }));
      const first = issues[0];
      return {
        ok: false,
        error: {
          code: 'ipc.payload',
          message: `invalid request for ${channel}${first ? ` at ${first.path.join('.') || '(root)'}: ${first.message}` : ''}`,
          details: issues,
        },
      };
    }
    let session = undefined;
    if (spec.permission !== 'public') {
      session = services.sessions.touch(clientId);
      if (!session)
        return { ok: false, error: { code: 'session.required', message: 'sign in first' } };
      const refusal: WardkeepError | null = !roleAllows(session.role, spec.permission)
        ? {
            code: 'permission.denied',
            message: `the ${session.role} role may not use ${channel} (needs ${spec.permission})`,
          }
        : 'stepUp' in spec && spec.stepUp && session.emergency
          ? {
              code: 'permission.denied',
              message: `${channel} is a privileged action, not available in an emergency session: it waits for a named account`,
            }
          : 'stepUp' in spec && spec.stepUp && !services.sessions.steppedUp(session)
            ? {
                code: 'stepup.required',
                message: `${channel} is a privileged action: confirm your password and code first`,
              }
            : null;
      if (refusal) {
        const actor = actorOf(session);
        try {
          runAs(actor, () =>
            services.recordIfOpen({
              action: 'access.denied',
              target: channel,
              outcome: 'denied',
              reason: refusal.code,
            }),
          );
        } catch (error) {
          log.error('could not record a refusal', {
            channel,
            error: error instanceof Error ? error.message : String(error),
          });
        }
        return { ok: false, error: refusal };
      }
    }
    try {
      const handler = handlers[channel] as (request: unknown, context: HandlerContext) => unknown;
      const context: HandlerContext = { clientId, services, session };
      const value = await runAs(session ? actorOf(session) : null, () =>
        handler(parsed.data, context),
      );
      return { ok: true, value };
    } catch (error) {
      if (error instanceof WardkeepFailure) return { ok: false, error: error.toError() };
      log.error('handler failed', {
        channel,
        error: error instanceof Error ? error.message : String(error),
      });
      return {
        ok: false,
        error: { code: 'internal', message: `${channel} failed unexpectedly; see the log` },
      };
    }
  }

  return {
    dispatch,
    subscribe: (clientId, listener) => services.subscribe(clientId, listener),
    disconnect: (clientId) => services.lock(clientId, 'logout'),
  };
}
