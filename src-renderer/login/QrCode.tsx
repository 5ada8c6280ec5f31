// The enrolment QR code, drawn as SVG rectangles from the `qrcode` package's module matrix: no
// canvas, no data URL, no innerHTML, so the page's Content Security Policy needs no exception.
// Invariant: a quiet zone of four modules surrounds the symbol, as scanners require.
import { useMemo } from 'react';
import { create } from 'qrcode';
import { darkRuns } from './qrRuns';

const quietZone = 4;

export function QrCode({ text, label }: { text: string; label: string }) {
  const { size, runs } = useMemo(() => {
    const modules = create(text, { errorCorrectionLevel: 'M' }).modules;
    return {
      size: modules.size,
      runs: darkRuns(modules.size, (row, column) => modules.get(row, column) === 1),
    };
  }, [text]);
  const extent = size + quietZone * 2;
  return (
    <svg
      className="qr-code"
      viewBox={`0 0 ${extent} ${extent}`}
      role="img"
      aria-label={label}
      shapeRendering="crispEdges"
      data-testid="enrol-qr"
    >
      <rect width={extent} height={extent} fill="#fff" />
      <g fill="#000">
        {runs.map((run) => (
          <rect
            key={`${run.row}-${run.column}`}
            x={run.column + quietZone}
            y={run.row + quietZone}
            width={run.length}
            height={1}
          />
        ))}
      </g>
    </svg>
  );
}
