// The length of an emergency session as typed in the settings form. Pure. Invariant: the range
// is the contract's (ConsoleSettings.emergencyMinutes), so main never refuses a value passed here.
import { ConsoleSettings } from '../../src-preload/contract';

const bounds = ConsoleSettings.shape.emergencyMinutes;

export const emergencyMinutesRange = {
  minimum: bounds.minValue ?? 5,
  maximum: bounds.maxValue ?? 240,
} as const;

/** The minutes typed, or a message saying what is wrong with them. */
export function parseEmergencyMinutes(text: string): { minutes: number } | { problem: string } {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return { problem: 'Enter a whole number of minutes.' };
  const minutes = Number(trimmed);
  const { minimum, maximum } = emergencyMinutesRange;
  if (minutes < minimum || minutes > maximum)
    return { problem: `Enter between ${minimum} and ${maximum} minutes.` };
  return { minutes };
}
