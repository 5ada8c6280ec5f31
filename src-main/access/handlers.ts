// IPC handlers for signing in, step-up, accounts, settings and break-glass: thin adapters from the
// contract to the access service. Sign-in steps are public (there is no session yet); the rest
// arrive with a session and permission the registry has already checked.
import { requireSession } from '../ipc/handlers';
import type { HandlerGroup } from '../ipc/handlers';

type AccessChannel =
  | 'session:status'
  | 'session:setup'
  | 'session:login'
  | 'session:password'
  | 'session:enrol'
  | 'session:mfa'
  | 'session:cancel'
  | 'session:recover'
  | 'session:breakglass'
  | 'session:lock'
  | 'session:touch'
  | 'session:stepup'
  | 'session:change-password'
  | 'accounts:list'
  | 'accounts:create'
  | 'accounts:role'
  | 'accounts:disable'
  | 'accounts:delete'
  | 'accounts:unlock'
  | 'breakglass:list'
  | 'breakglass:review'
  | 'breakglass:rotate'
  | 'settings:get'
  | 'settings:set';

export const accessHandlers: HandlerGroup<AccessChannel> = {
  'session:status': (_request, { clientId, services }) => services.status(clientId),
  'session:setup': ({ username, password }, { clientId, services }) =>
    services.access.setup(clientId, username, password),
  'session:login': ({ username, password }, { clientId, services }) =>
    services.access.login(clientId, username, password),
  'session:password': ({ newPassword }, { clientId, services }) =>
    services.access.changeInitialPassword(clientId, newPassword),
  'session:enrol': ({ code }, { clientId, services }) => services.access.enrol(clientId, code),
  'session:mfa': ({ code }, { clientId, services }) => services.access.verifyMfa(clientId, code),
  'session:cancel': (_request, { clientId, services }) => {
    services.access.cancel(clientId);
    return {};
  },
  'session:recover': ({ recoveryCode, username, newPassword }, { clientId, services }) =>
    services.access.recover(clientId, recoveryCode, username, newPassword),
  'session:breakglass': (request, { clientId, services }) =>
    services.access.openBreakGlass(clientId, request),
  'session:lock': (_request, { clientId, services }) => {
    services.lock(clientId, 'logout');
    return {};
  },
  // The registry has already moved the idle timer; there is nothing else to do.
  'session:touch': () => ({}),
  'session:stepup': async ({ password, code }, context) => ({
    stepUpUntilMs: await context.services.access.stepUp(
      requireSession(context),
      context.clientId,
      password,
      code,
    ),
  }),
  'session:change-password': async ({ currentPassword, newPassword }, context) => {
    await context.services.access.changePassword(
      requireSession(context),
      currentPassword,
      newPassword,
    );
    return {};
  },
  'accounts:list': (_request, { services }) => services.access.listAccounts(),
  'accounts:create': ({ username, role }, context) =>
    context.services.access.createAccount(requireSession(context), username, role),
  'accounts:role': ({ username, role }, context) => {
    context.services.access.setRole(requireSession(context), username, role);
    return {};
  },
  'accounts:disable': ({ username }, context) => {
    context.services.access.disableAccount(requireSession(context), username);
    return {};
  },
  'accounts:delete': ({ username }, context) => {
    context.services.access.deleteAccount(requireSession(context), username);
    return {};
  },
  'accounts:unlock': ({ username }, context) => {
    context.services.access.unlockAccount(requireSession(context), username);
    return {};
  },
  'breakglass:list': (_request, { services }) => services.access.listEmergencies(),
  'breakglass:review': ({ id, comment }, context) => {
    context.services.access.reviewEmergency(requireSession(context), id, comment);
    return {};
  },
  'breakglass:rotate': async (_request, context) => ({
    credential: await context.services.access.rotateBreakGlass(requireSession(context)),
  }),
  'settings:get': (_request, { services }) => services.access.settings(),
  'settings:set': (settings, { services }) => {
    services.access.saveSettings(settings);
    return {};
  },
};
