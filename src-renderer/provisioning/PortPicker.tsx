// Choosing where the device is plugged in: the serial ports main lists (refreshable, since the
// cable is plugged in at the bedside while the view is open) or a path typed for an adapter the
// system does not list, then Start; and, for a device the inventory holds as quarantined, the
// explicit decision to release it. Invariants: Start is offered only once a port is chosen; the
// release is never ticked unless the person ticked it for this device.
import { useEffect, useId } from 'react';
import { FailureAlert } from '../shared/FailureAlert';
import { TextField } from '../shared/TextField';
import { useProvisionStore } from './provisionStore';
import { chosenPortPath, portLabel } from './setup';

export function PortPicker() {
  const selectId = useId();
  const releaseHintId = useId();
  const ports = useProvisionStore((state) => state.ports);
  const loading = useProvisionStore((state) => state.portsLoading);
  const picked = useProvisionStore((state) => state.pickedPort);
  const typed = useProvisionStore((state) => state.typedPort);
  const startError = useProvisionStore((state) => state.startError);
  const phase = useProvisionStore((state) => state.phase);
  const loadPorts = useProvisionStore((state) => state.loadPorts);
  const pickPort = useProvisionStore((state) => state.pickPort);
  const typePort = useProvisionStore((state) => state.typePort);
  const releaseQuarantine = useProvisionStore((state) => state.releaseQuarantine);
  const setReleaseQuarantine = useProvisionStore((state) => state.setReleaseQuarantine);
  const start = useProvisionStore((state) => state.start);
  const portPath = chosenPortPath(picked, typed);

  useEffect(() => {
    void loadPorts();
  }, [loadPorts]);

  return (
    <form
      className="provision-card port-picker"
      aria-label="Choose the serial port"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        if (portPath !== null) void start(portPath);
      }}
    >
      <h2 className="provision-card__title">Plug in the cable and choose its port</h2>
      <div className="port-picker__row">
        <div className="field">
          <label htmlFor={selectId}>Serial port</label>
          <select
            id={selectId}
            value={picked ?? ''}
            disabled={ports === null || ports.length === 0}
            onChange={(event) => pickPort(event.target.value === '' ? null : event.target.value)}
          >
            <option value="">
              {ports === null
                ? 'Looking for ports…'
                : ports.length === 0
                  ? 'No serial port found'
                  : 'Choose a port'}
            </option>
            {(ports ?? []).map((port) => (
              <option key={port.path} value={port.path}>
                {portLabel(port)}
              </option>
            ))}
          </select>
        </div>
        <button
          type="button"
          className="button"
          disabled={loading}
          onClick={() => void loadPorts()}
        >
          {loading ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <TextField
        label="Other port path"
        value={typed}
        onValueChange={typePort}
        placeholder="/dev/ttyUSB0"
        spellCheck={false}
        autoComplete="off"
        hint="For an adapter the list does not show. A path typed here is used instead of the list."
        className="field--mono"
      />
      <div className="field">
        <label className="checkbox">
          <input
            type="checkbox"
            checked={releaseQuarantine}
            aria-describedby={releaseHintId}
            onChange={(event) => setReleaseQuarantine(event.target.checked)}
          />
          Release from quarantine (recorded in the audit log)
        </label>
        <p className="field__hint" id={releaseHintId}>
          Only for a device the inventory holds as quarantined whose firmware has been restored to
          an approved image. The device is still checked in full; without this, a quarantined device
          is refused.
        </p>
      </div>
      {startError ? <FailureAlert error={startError} testId="provision-start-error" /> : null}
      <div className="port-picker__actions">
        <button
          type="submit"
          className="button button--primary"
          disabled={portPath === null || phase === 'starting'}
        >
          {phase === 'starting' ? 'Opening the port…' : 'Start provisioning'}
        </button>
        {portPath !== null ? (
          <span className="muted">
            Opens <code>{portPath}</code>
            {releaseQuarantine ? ' and releases the device from quarantine if it passes' : ''}
          </span>
        ) : null}
      </div>
    </form>
  );
}
