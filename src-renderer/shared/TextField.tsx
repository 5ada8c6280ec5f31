// A labelled text input with an optional hint and error, wired for screen readers: the hint and
// the error are announced with the field. Invariant: the label is always visible; placeholders
// never stand in for it.
import { useId } from 'react';
import type { InputHTMLAttributes, Ref } from 'react';

interface TextFieldProps extends Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'id' | 'onChange' | 'value'
> {
  label: string;
  value: string;
  onValueChange: (value: string) => void;
  hint?: string;
  error?: string | null;
  inputRef?: Ref<HTMLInputElement>;
}

export function TextField({
  label,
  value,
  onValueChange,
  hint,
  error,
  inputRef,
  className,
  'aria-describedby': alsoDescribedBy,
  ...input
}: TextFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy =
    [hint ? hintId : null, error ? errorId : null, alsoDescribedBy ?? null]
      .filter(Boolean)
      .join(' ') || undefined;
  return (
    <div className={['field', className].filter(Boolean).join(' ')}>
      <label htmlFor={id}>{label}</label>
      <input
        {...input}
        id={id}
        ref={inputRef}
        value={value}
        onChange={(event) => onValueChange(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
      />
      {hint ? (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field__error" id={errorId}>
          {error}
        </p>
      ) : null}
    </div>
  );
}
