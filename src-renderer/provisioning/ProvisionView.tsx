// The bedside wizard: choose the port, start, watch the device identify itself and the checks
// pass or fail one by one, choose its zone when asked, and read a clear outcome with a label to
// print; the history of attempts below. Cancel is offered for as long as the session runs.
// Invariant: the port choice shows only when no session is starting or running.
import { useEffect } from 'react';
import { DeviceIdentity, identityOf } from './DeviceIdentity';
import { AttemptHistory } from './AttemptHistory';
import { OutcomePanel } from './OutcomePanel';
import { PortPicker } from './PortPicker';
import { SetupBanner } from './SetupBanner';
import { StepList } from './StepList';
import { ZoneChoice } from './ZoneChoice';
import { stepLabels } from './outcome';
import { useProvisionStore } from './provisionStore';
import { currentStep, progressOf, totalRetries } from './wizard';

export function ProvisionView() {
  const phase = useProvisionStore((state) => state.phase);
  const wizard = useProvisionStore((state) => state.wizard);
  const portPath = useProvisionStore((state) => state.portPath);
  const releasing = useProvisionStore((state) => state.releasing);
  const overview = useProvisionStore((state) => state.overview);
  const placementSent = useProvisionStore((state) => state.placementSent);
  const cancelling = useProvisionStore((state) => state.cancelling);
  const loadOverview = useProvisionStore((state) => state.loadOverview);
  const chooseZone = useProvisionStore((state) => state.chooseZone);
  const cancel = useProvisionStore((state) => state.cancel);
  const again = useProvisionStore((state) => state.again);

  useEffect(() => {
    void loadOverview();
  }, [loadOverview]);

  const identity = identityOf(wizard.device, wizard.outcome);
  const step = currentStep(wizard);
  const progress = progressOf(wizard);
  const retries = totalRetries(wizard);
  const sessionShown = phase === 'running' || phase === 'finished';

  return (
    <div className="admin-view provision-view" data-testid="provision-view">
      <div className="admin-view__header">
        <h1>Provision a device</h1>
        <p className="muted">
          Plug the USB-serial cable into the device. The console checks that it is genuine and runs
          approved firmware, then gives it this hospital&apos;s certificate and its place in the
          network, or refuses and says why. Nothing is kept unless the device confirms.
        </p>
      </div>
      <SetupBanner overview={overview} />
      <div className="provision-layout">
        <div className="provision-layout__main">
          {sessionShown ? (
            <div className="provision-session-bar" data-testid="provision-session-bar">
              <span>
                Port <code>{portPath}</code>
                {releasing ? ' · releasing from quarantine' : ''}
              </span>
              <span role="status" data-testid="provision-progress">
                {phase === 'running'
                  ? step === null
                    ? `Working… (${progress.done} of ${progress.total} steps done)`
                    : `${stepLabels[step]}… (${progress.done} of ${progress.total} steps done)`
                  : 'Session ended'}
                {retries > 0 ? ` · ${retries} resent on a bad line` : ''}
              </span>
              <span className="provision-session-bar__spacer" />
              {phase === 'running' ? (
                <button
                  type="button"
                  className="button button--danger-outline"
                  disabled={cancelling}
                  onClick={() => void cancel()}
                >
                  {cancelling ? 'Cancelling…' : 'Cancel'}
                </button>
              ) : null}
            </div>
          ) : (
            <PortPicker />
          )}
          {wizard.outcome !== null ? (
            <OutcomePanel
              outcome={wizard.outcome}
              releasedFromQuarantine={
                wizard.outcome.status === 'provisioned' &&
                wizard.device?.inventoryState === 'quarantined'
              }
              onAgain={again}
            />
          ) : null}
          {wizard.placement !== null && phase === 'running' ? (
            <ZoneChoice
              key={wizard.placement.device.deviceUid}
              question={wizard.placement}
              sent={placementSent}
              onChoose={(choice) => void chooseZone(choice.zoneId, choice.vlan)}
            />
          ) : null}
          {sessionShown ? <StepList steps={wizard.steps} /> : null}
        </div>
        <div className="provision-layout__side">
          {identity !== null ? (
            <DeviceIdentity identity={identity.identity} verified={identity.verified} />
          ) : sessionShown ? (
            <section className="provision-card device-identity">
              <h2 className="provision-card__title">The device</h2>
              <p className="muted">
                {phase === 'running'
                  ? 'Waiting for the device to identify itself…'
                  : 'The device did not identify itself.'}
              </p>
            </section>
          ) : null}
        </div>
      </div>
      <AttemptHistory />
    </div>
  );
}
