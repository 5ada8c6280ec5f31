// A secret shown once to be copied by hand: large monospace text in lines of four groups.
// Invariant: the text read or copied from it is exactly the secret (the dash between two lines
// stays at the end of the first).
export function SecretCode({
  value,
  label,
  testId,
}: {
  value: string;
  label: string;
  testId?: string;
}) {
  return (
    <output className="recovery__code" aria-label={label} data-testid={testId}>
      {codeLines(value).map((line, index) => (
        <span key={`${index}-${line}`} className="recovery__code-line">
          {line}
        </span>
      ))}
    </output>
  );
}

/** The code in lines of four dash-separated groups, easier to copy than one wrapped at random. */
export function codeLines(code: string): string[] {
  const groups = code.split('-');
  const lines: string[] = [];
  for (let start = 0; start < groups.length; start += 4) {
    const last = start + 4 >= groups.length;
    lines.push(groups.slice(start, start + 4).join('-') + (last ? '' : '-'));
  }
  return lines;
}

/** A base32 secret in groups of four, as authenticator apps show them for typing in. */
export function spacedGroups(secret: string): string {
  return (secret.match(/.{1,4}/g) ?? []).join(' ');
}
