// The bar at the top of the console: product, the views the role may open, the time left before
// the session locks, who is signed in with which role, and the Lock button.
// Invariant: the signed-in identity and the time left are always visible while data is shown.
import { roleLabels } from '../shared/labels';
import { capabilitiesOf, viewLabels } from '../session/capabilities';
import { formatLimit, formatTimeLeft, sessionDeadline } from '../session/sessionClock';
import { useSessionStore } from '../session/sessionStore';
import { useNavigationStore } from './navigationStore';
import { useMainNow } from './useSessionWatch';

export function HeaderBar() {
  const user = useSessionStore((state) => state.user);
  const session = useSessionStore((state) => state.session);
  const unreviewed = useSessionStore((state) => state.unreviewedEmergencies);
  const lock = useSessionStore((state) => state.lock);
  const view = useNavigationStore((state) => state.view);
  const go = useNavigationStore((state) => state.go);
  const emergency = session?.emergency ?? null;
  const views = user ? capabilitiesOf(user.role, emergency !== null).views : [];

  return (
    <header className="header-bar">
      <span className="header-bar__brand">Wardkeep</span>
      <nav className="header-bar__nav" aria-label="Console views">
        {views.map((name) => (
          <button
            key={name}
            type="button"
            className="nav-tab"
            aria-current={view === name ? 'page' : undefined}
            onClick={() => go(name)}
          >
            {viewLabels[name]}
            {name === 'emergencies' && unreviewed > 0 ? (
              <span className="nav-tab__count" aria-label={`${unreviewed} to review`}>
                {unreviewed}
              </span>
            ) : null}
          </button>
        ))}
      </nav>
      <span className="header-bar__spacer" />
      {session ? <TimeLeft /> : null}
      {user ? (
        <span className="header-bar__user" data-testid="signed-in-user">
          <span className="header-bar__username">{user.username}</span>
          <span className="header-bar__role">
            {emergency ? 'Emergency (engineer rights)' : roleLabels[user.role]}
          </span>
        </span>
      ) : null}
      {emergency ? null : (
        <button type="button" className="button button--header" onClick={() => void lock()}>
          Lock
        </button>
      )}
    </header>
  );
}

function TimeLeft() {
  const session = useSessionStore((state) => state.session);
  const now = useMainNow();
  if (session === null) return null;
  const deadline = sessionDeadline(session);
  const left = deadline.atMs - now;
  const explanation =
    deadline.kind === 'idle'
      ? `Locks after ${formatLimit(session.idleLimitMs)} without activity`
      : deadline.kind === 'emergency'
        ? 'The emergency session ends then'
        : 'The session reaches its time limit then';
  return (
    <span
      className={left < 2 * 60_000 ? 'header-bar__time header-bar__time--low' : 'header-bar__time'}
      title={explanation}
      data-testid="session-time-left"
    >
      <span className="visually-hidden">{explanation}: </span>
      {formatTimeLeft(left)} left
    </span>
  );
}
