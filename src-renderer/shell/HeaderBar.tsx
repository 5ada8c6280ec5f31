// The bar at the top of the console: product, current view, who is signed in with which role,
// and the Lock button. Invariant: the signed-in identity is always visible while data is shown.
import { roleLabels } from '../shared/labels';
import { useSessionStore } from '../session/sessionStore';

export function HeaderBar({ title }: { title: string }) {
  const user = useSessionStore((state) => state.user);
  const lock = useSessionStore((state) => state.lock);
  return (
    <header className="header-bar">
      <span className="header-bar__brand">Wardkeep</span>
      <span className="header-bar__view">{title}</span>
      <span className="header-bar__spacer" />
      {user ? (
        <span className="header-bar__user" data-testid="signed-in-user">
          <span className="header-bar__username">{user.username}</span>
          <span className="header-bar__role">{roleLabels[user.role]}</span>
        </span>
      ) : null}
      <button type="button" className="button button--header" onClick={() => void lock()}>
        Lock
      </button>
    </header>
  );
}
