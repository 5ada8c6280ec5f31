// Saves text made in the renderer as a file the user downloads: a Blob behind a short-lived
// object URL. Invariant: the URL is revoked shortly after the download starts, so no export
// lingers in memory for the life of the window.

const revokeDelayMs = 10_000;

export function downloadText(fileName: string, mimeType: string, content: string): void {
  const blob = new Blob([content], { type: mimeType });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  // The browser reads the Blob asynchronously after the click; revoking at once can cut it off.
  setTimeout(() => URL.revokeObjectURL(url), revokeDelayMs);
}
