// IPC handlers for signing in and out. Set-up, unlock and recovery are public (there is no
// session yet); everything they accept has been schema-checked by the registry.
import type { HandlerGroup } from '../ipc/handlers';

export const sessionHandlers: HandlerGroup<
  'session:status' | 'session:setup' | 'session:unlock' | 'session:recover' | 'session:lock'
> = {
  'session:status': (_request, { clientId, services }) => services.status(clientId),
  'session:setup': (request, { clientId, services }) =>
    services.setup(clientId, request.username, request.password),
  'session:unlock': (request, { clientId, services }) =>
    services.unlock(clientId, request.username, request.password),
  'session:recover': (request, { clientId, services }) =>
    services.recover(clientId, request.recoveryCode, request.username, request.newPassword),
  'session:lock': (_request, { clientId, services }) => {
    services.lock(clientId);
    return {};
  },
};
