// Step 2 of the import: for each canonical field, the column of the file that supplies it,
// prefilled from a matched saved mapping or main's suggestion. Required fields are marked and
// must be mapped before the rows can be checked; the mapping can be saved by name for next time.
import { useId, useState } from 'react';
import { canonicalFields } from '../../src-preload/contract';
import type { CanonicalField } from '../../src-preload/contract';
import { Alert } from '../shared/Alert';
import { formatQuantity } from '../shared/format';
import { canonicalFieldLabels } from '../shared/labels';
import { ProgressBar } from './ProgressBar';
import { headerUseCounts, isRequiredField, missingRequiredFields } from './mapping';
import { useImportStore } from './importStore';

export function MappingStep() {
  const staged = useImportStore((state) => state.staged);
  const mapping = useImportStore((state) => state.mapping);
  const busy = useImportStore((state) => state.busy);
  const error = useImportStore((state) => state.error);
  const { validate, close } = useImportStore.getState();
  if (staged === null) return null;

  const missing = missingRequiredFields(mapping);
  const useCounts = headerUseCounts(mapping);

  return (
    <form
      className="import-step"
      onSubmit={(event) => {
        event.preventDefault();
        void validate();
      }}
    >
      <p className="import-summary" data-testid="staged-summary">
        <strong>{staged.fileName}</strong>: {formatQuantity(staged.rows, 'row')},{' '}
        {formatQuantity(staged.headers.length, 'column')}
      </p>
      <SavedMappingPicker />
      <div className="table-scroll table-scroll--mapping">
        <table className="data-table mapping-table">
          <thead>
            <tr>
              <th scope="col">Wardkeep field</th>
              <th scope="col">Column in the file</th>
            </tr>
          </thead>
          <tbody>
            {canonicalFields.map((field) => (
              <MappingRow
                key={field}
                field={field}
                headers={staged.headers}
                header={mapping[field] ?? null}
                shared={(useCounts.get(mapping[field] ?? '') ?? 0) > 1}
              />
            ))}
          </tbody>
        </table>
      </div>
      <p className="legend">
        <span className="required-mark" aria-hidden="true">
          *
        </span>{' '}
        required
      </p>
      <SaveMappingForm />
      {missing.length > 0 ? (
        <Alert tone="warning" testId="mapping-missing">
          Choose a column for {missing.map((field) => canonicalFieldLabels[field]).join(', ')}.
        </Alert>
      ) : null}
      {error ? (
        <Alert tone="error" testId="import-error">
          {error.message} <code>{error.code}</code>
        </Alert>
      ) : null}
      {busy ? <ProgressBar /> : null}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={() => void close()}>
          Cancel
        </button>
        <button
          type="submit"
          className="button button--primary"
          disabled={busy || missing.length > 0}
        >
          {busy ? 'Checking…' : 'Check rows'}
        </button>
      </div>
    </form>
  );
}

function MappingRow(props: {
  field: CanonicalField;
  headers: readonly string[];
  header: string | null;
  shared: boolean;
}) {
  const { field, headers, header, shared } = props;
  const id = useId();
  const setField = useImportStore((state) => state.setField);
  const required = isRequiredField(field);
  return (
    <tr className={required && header === null ? 'mapping-table__row--missing' : undefined}>
      <th scope="row">
        <label htmlFor={id}>
          {canonicalFieldLabels[field]}
          {required ? (
            <span className="required-mark" title="required">
              {' '}
              *<span className="visually-hidden"> (required)</span>
            </span>
          ) : null}
        </label>
        <code className="mapping-table__code">{field}</code>
      </th>
      <td>
        <select
          id={id}
          value={header ?? ''}
          data-field={field}
          onChange={(event) =>
            setField(field, event.target.value === '' ? null : event.target.value)
          }
        >
          <option value="">{required ? '— choose a column —' : '— not imported —'}</option>
          {headers.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        {shared ? <span className="mapping-table__note">also used for another field</span> : null}
      </td>
    </tr>
  );
}

function SavedMappingPicker() {
  const id = useId();
  const savedMappings = useImportStore((state) => state.savedMappings);
  const mappingSource = useImportStore((state) => state.mappingSource);
  const applySavedMapping = useImportStore((state) => state.applySavedMapping);
  if (savedMappings.length === 0) return null;
  return (
    <div className="field field--inline">
      <label htmlFor={id}>Start from</label>
      <select
        id={id}
        value={mappingSource ?? ''}
        onChange={(event) =>
          applySavedMapping(event.target.value === '' ? null : event.target.value)
        }
      >
        <option value="">Suggested from the column names</option>
        {savedMappings.map((saved) => (
          <option key={saved.name} value={saved.name}>
            Saved mapping: {saved.name}
          </option>
        ))}
      </select>
    </div>
  );
}

function SaveMappingForm() {
  const id = useId();
  const [name, setName] = useState('');
  const busy = useImportStore((state) => state.busy);
  const savedAs = useImportStore((state) => state.savedAs);
  const saveMapping = useImportStore((state) => state.saveMapping);

  function save(): void {
    if (name.trim() === '') return;
    void saveMapping(name);
  }

  return (
    <div className="save-mapping">
      <label htmlFor={id}>Save this mapping as</label>
      <input
        id={id}
        type="text"
        value={name}
        maxLength={100}
        placeholder="e.g. CMMS weekly export"
        onChange={(event) => setName(event.target.value)}
        onKeyDown={(event) => {
          // Enter here saves the mapping instead of submitting the step.
          if (event.key === 'Enter') {
            event.preventDefault();
            save();
          }
        }}
      />
      <button type="button" className="button" disabled={busy || name.trim() === ''} onClick={save}>
        Save mapping
      </button>
      {savedAs ? (
        <span className="save-mapping__done" role="status">
          Saved as “{savedAs}”.
        </span>
      ) : null}
    </div>
  );
}
