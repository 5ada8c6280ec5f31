// The criticality of a device as a coloured badge. Life-sustaining devices must stand out in any
// list, so their badge is the only solid one; colour is never the only cue (the word is there).
import type { Criticality } from '../../src-preload/contract';
import { criticalityLabels } from './labels';

export function CriticalityBadge({ criticality }: { criticality: Criticality }) {
  return <span className={`badge badge--${criticality}`}>{criticalityLabels[criticality]}</span>;
}
