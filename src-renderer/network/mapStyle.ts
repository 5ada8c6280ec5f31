// How the map draws verdicts, criticality and zone tiers: one table each, shared by the canvas and
// the legend, so what the legend shows is what the map draws. Colour is never the only cue: each
// verdict also has its own line (solid, dashed, dotted, thick) and each label says it in words.
import type { Criticality } from '../../src-preload/contract';
import type { Verdict, ZoneTier } from '../../src-preload/network/model';

export interface VerdictStyle {
  label: string;
  /** One line for the legend: what the verdict means. */
  meaning: string;
  color: string;
  width: number;
  /** vis-network dash pattern in canvas units; false for a solid line. */
  dashes: false | number[];
}

export const verdictStyles: Readonly<Record<Verdict, VerdictStyle>> = {
  allowed: {
    label: 'Allowed',
    meaning: 'a conduit allows it, or it stays inside its zone',
    color: '#4f8a63',
    width: 1,
    dashes: false,
  },
  monitored: {
    label: 'Monitored',
    meaning: 'a conduit lets it through and watches it',
    color: '#1f63b5',
    width: 1.5,
    dashes: [8, 4],
  },
  violation: {
    label: 'Violation',
    meaning: 'no conduit allows it (or one denies it)',
    color: '#c62828',
    width: 2.5,
    dashes: false,
  },
  insecure: {
    label: 'Insecure',
    meaning: 'cleartext clinical protocol crossing a zone',
    color: '#b35a00',
    width: 2,
    dashes: [2, 4],
  },
};

/** Drawing order, lowest first: the worst verdicts end on top of the others. */
export const verdictDrawOrder: readonly Verdict[] = [
  'allowed',
  'monitored',
  'insecure',
  'violation',
];

/** Worst first: the order of lists, counts and the colour of an edge that stands for several. */
export const verdictSeverity: Readonly<Record<Verdict, number>> = {
  violation: 0,
  insecure: 1,
  monitored: 2,
  allowed: 3,
};

export function worstVerdict(verdicts: Iterable<Verdict>): Verdict | null {
  let worst: Verdict | null = null;
  for (const verdict of verdicts) {
    if (worst === null || verdictSeverity[verdict] < verdictSeverity[worst]) worst = verdict;
  }
  return worst;
}

export interface CriticalityStyle {
  fill: string;
  border: string;
}

/** The badge colours of styles.css, so a device looks the same on the map and in the tables. */
export const criticalityStyles: Readonly<Record<Criticality, CriticalityStyle>> = {
  life_sustaining: { fill: '#b3261e', border: '#8c1d17' },
  high: { fill: '#f4b08a', border: '#c4622c' },
  medium: { fill: '#f3d46b', border: '#a98514' },
  low: { fill: '#a9d6b8', border: '#3f8a5c' },
  unassessed: { fill: '#ffffff', border: '#6b7686' },
};

export interface RegionStyle {
  fill: string;
  border: string;
  title: string;
}

/** Zone regions by tier; `null` is the region of addresses outside every zone. */
export function regionStyle(tier: ZoneTier | null): RegionStyle {
  switch (tier) {
    case 'life_sustaining':
      return { fill: 'rgba(179, 38, 30, 0.07)', border: '#b3261e', title: '#8c1d17' };
    case 'high':
      return { fill: 'rgba(233, 153, 106, 0.10)', border: '#c4622c', title: '#8a2e08' };
    case 'medium':
      return { fill: 'rgba(220, 183, 74, 0.12)', border: '#a98514', title: '#6b4d00' };
    case 'low':
      return { fill: 'rgba(148, 200, 167, 0.14)', border: '#3f8a5c', title: '#1c5634' };
    case null:
      return { fill: 'rgba(141, 151, 165, 0.10)', border: '#6b7686', title: '#4d5866' };
  }
}

/** Unknown addresses: no inventory record, drawn hollow and dashed so they read as "to triage". */
export const unknownNodeStyle: CriticalityStyle = { fill: '#ffffff', border: '#4d5866' };

export const selectionColor = '#0b57b0';
