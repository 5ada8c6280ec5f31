// Editing one conduit in the what-if draft: its state (allow, monitor, deny), transport, ports,
// direction and purpose. Nothing reaches main from here: the edit joins the draft, to be tried
// and then applied as one recorded change.
// Invariant: the form adds to the draft only a conduit main's schema would take (ports parsed,
// ports only for TCP/UDP, a purpose given).
import { useId, useState } from 'react';
import type {
  Conduit,
  ConduitDirection,
  ConduitProtocol,
  ConduitState,
} from '../../src-preload/network/model';
import {
  conduitDirections,
  conduitProtocols,
  conduitStates,
} from '../../src-preload/network/model';
import { formatPorts, parsePorts } from './draft';
import { conduitDirectionLabels, conduitProtocolLabels, conduitStateLabels } from './networkLabels';

interface ConduitFormProps {
  /** The conduit as it is (or as the draft has it), or a new one with its zones and id set. */
  conduit: Conduit;
  isNew: boolean;
  onSave: (conduit: Conduit) => void;
  onCancel: () => void;
}

export function ConduitForm({ conduit, isNew, onSave, onCancel }: ConduitFormProps) {
  const id = useId();
  const [state, setState] = useState<ConduitState>(conduit.state);
  const [protocol, setProtocol] = useState<ConduitProtocol>(conduit.protocol);
  const [ports, setPorts] = useState(formatPorts(conduit.ports));
  const [direction, setDirection] = useState<ConduitDirection>(conduit.direction);
  const [purpose, setPurpose] = useState(conduit.purpose);
  const [error, setError] = useState<string | null>(null);

  function save(): void {
    const named = protocol === 'tcp' || protocol === 'udp';
    const parsed = parsePorts(named ? ports : '', protocol);
    if (!parsed.ok) {
      setError(`Ports: ${parsed.message}`);
      return;
    }
    if (purpose.trim() === '') {
      setError('Purpose: say what the conduit is for');
      return;
    }
    setError(null);
    onSave({
      ...conduit,
      state,
      protocol,
      ports: parsed.ports,
      direction,
      purpose: purpose.trim(),
    });
  }

  return (
    <form
      className="conduit-form"
      aria-label={isNew ? 'New conduit' : `Edit conduit ${conduit.id}`}
      data-testid="conduit-form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        save();
      }}
    >
      <p className="conduit-form__id">
        <span className="muted">{isNew ? 'New conduit' : 'Conduit'}</span> <code>{conduit.id}</code>
      </p>
      <div className="conduit-form__grid">
        <label htmlFor={`${id}-state`}>State</label>
        <select
          id={`${id}-state`}
          value={state}
          onChange={(event) =>
            setState(conduitStates.find((value) => value === event.target.value) ?? state)
          }
        >
          {conduitStates.map((value) => (
            <option key={value} value={value}>
              {conduitStateLabels[value]}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-protocol`}>Protocol</label>
        <select
          id={`${id}-protocol`}
          value={protocol}
          onChange={(event) =>
            setProtocol(conduitProtocols.find((value) => value === event.target.value) ?? protocol)
          }
        >
          {conduitProtocols.map((value) => (
            <option key={value} value={value}>
              {conduitProtocolLabels[value]}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-ports`}>Ports</label>
        <input
          id={`${id}-ports`}
          type="text"
          value={ports}
          placeholder={protocol === 'tcp' || protocol === 'udp' ? 'every port' : 'none'}
          disabled={protocol !== 'tcp' && protocol !== 'udp'}
          spellCheck={false}
          onChange={(event) => setPorts(event.target.value)}
        />
        <label htmlFor={`${id}-direction`}>Direction</label>
        <select
          id={`${id}-direction`}
          value={direction}
          onChange={(event) =>
            setDirection(
              conduitDirections.find((value) => value === event.target.value) ?? direction,
            )
          }
        >
          {conduitDirections.map((value) => (
            <option key={value} value={value}>
              {conduitDirectionLabels[value]}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-purpose`}>Purpose</label>
        <input
          id={`${id}-purpose`}
          type="text"
          value={purpose}
          maxLength={500}
          onChange={(event) => setPurpose(event.target.value)}
        />
      </div>
      {error ? (
        <p className="field__error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="conduit-form__actions">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button button--primary">
          Add to draft
        </button>
      </div>
    </form>
  );
}
