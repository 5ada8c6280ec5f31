// The banner for failures nobody planned for: what happened, its code, and a way to dismiss it.
// Expected failures (a wrong password, an invalid row) are shown beside their form instead.
import { useErrorStore } from './errorStore';

export function ErrorBanner() {
  const banner = useErrorStore((state) => state.banner);
  const dismiss = useErrorStore((state) => state.dismiss);
  if (banner === null) return null;
  return (
    <div className="error-banner" role="alert" data-testid="error-banner">
      <span className="error-banner__message">{banner.message}</span>
      <code className="error-banner__code">{banner.code}</code>
      {banner.channel ? (
        <span className="error-banner__channel">during {banner.channel}</span>
      ) : null}
      <button type="button" className="button button--small" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}
