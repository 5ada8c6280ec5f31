// A labelled file picker: the chosen file, or null when the choice is cleared. The file is read
// by whoever submits it; nothing crosses to main as a path.
import { useId } from 'react';

export function FileField({
  label,
  accept,
  onFile,
  error,
}: {
  label: string;
  accept: string;
  onFile: (file: File | null) => void;
  error: string | null;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="file"
        accept={accept}
        onChange={(event) => onFile(event.target.files?.[0] ?? null)}
      />
      {error ? <p className="field__error">{error}</p> : null}
    </div>
  );
}
