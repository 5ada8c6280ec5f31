// The banners about access that show above every screen: the red emergency-session banner (who
// opened it, why, time left, and how to end it), the warning that no sealed emergency credential
// exists, and for administrators the emergency sessions awaiting review.
// Invariant: during an emergency session its banner is on screen whatever view is open.
import { emergencyReasonLabels } from '../../src-preload/contract';
import { RotateCredentialButton } from '../emergencies/RotateCredential';
import { formatQuantity } from '../shared/format';
import { formatTimeLeft } from '../session/sessionClock';
import { useSessionStore } from '../session/sessionStore';
import { useNavigationStore } from './navigationStore';
import { useMainNow } from './useSessionWatch';

export function AccessBanners() {
  const phase = useSessionStore((state) => state.phase);
  const emergency = useSessionStore((state) => state.session?.emergency ?? null);
  const role = useSessionStore((state) => state.user?.role ?? null);
  const breakGlassReady = useSessionStore((state) => state.breakGlassReady);
  const unreviewed = useSessionStore((state) => state.unreviewedEmergencies);
  if (phase !== 'unlocked' && phase !== 'locked') return null;
  const administrator = phase === 'unlocked' && role === 'administrator' && emergency === null;
  return (
    <>
      {phase === 'unlocked' && emergency ? <EmergencyBanner /> : null}
      {breakGlassReady ? null : (
        <div
          className="access-banner access-banner--warning"
          role="status"
          data-testid="breakglass-nag"
        >
          <span className="access-banner__message">
            No sealed emergency credential: an administrator must generate one.
          </span>
          {administrator ? (
            <RotateCredentialButton
              label="Generate emergency credential…"
              className="button button--small"
            />
          ) : null}
        </div>
      )}
      {administrator && unreviewed > 0 ? <ReviewReminder count={unreviewed} /> : null}
    </>
  );
}

function EmergencyBanner() {
  const emergency = useSessionStore((state) => state.session?.emergency ?? null);
  const lock = useSessionStore((state) => state.lock);
  const now = useMainNow();
  if (emergency === null) return null;
  return (
    <div
      className="access-banner access-banner--emergency"
      role="alert"
      data-testid="emergency-banner"
    >
      <strong className="access-banner__label">Emergency access</strong>
      <span className="access-banner__message">
        opened by <strong data-testid="emergency-opened-by">{emergency.openedBy}</strong> ·{' '}
        {emergencyReasonLabels[emergency.reason]} · every action is recorded and will be reviewed
      </span>
      <span className="access-banner__time" data-testid="emergency-time-left">
        {formatTimeLeft(emergency.endsAtMs - now)} left
      </span>
      <button type="button" className="button button--small" onClick={() => void lock()}>
        End emergency access
      </button>
    </div>
  );
}

function ReviewReminder({ count }: { count: number }) {
  const go = useNavigationStore((state) => state.go);
  return (
    <div
      className="access-banner access-banner--review"
      role="status"
      data-testid="review-reminder"
    >
      <span className="access-banner__message">
        <strong>
          {formatQuantity(count, 'emergency session')} {count === 1 ? 'awaits' : 'await'} review
        </strong>{' '}
        by an administrator who did not open {count === 1 ? 'it' : 'them'}.
      </span>
      <button type="button" className="button button--small" onClick={() => go('emergencies')}>
        Review
      </button>
    </div>
  );
}
