import { describe, expect, it } from 'vitest';
import { parseEmergencyMinutes } from './emergencyMinutes';

describe('parseEmergencyMinutes', () => {
  it('accepts whole minutes from 5 to 240', () => {
    expect(parseEmergencyMinutes(' 5 ')).toEqual({ minutes: 5 });
    expect(parseEmergencyMinutes('240')).toEqual({ minutes: 240 });
  });

  it('refuses fractions, text and values out of range with a reason', () => {
    expect(parseEmergencyMinutes('4')).toEqual({ problem: 'Enter between 5 and 240 minutes.' });
    expect(parseEmergencyMinutes('241')).toHaveProperty('problem');
    expect(parseEmergencyMinutes('12.5')).toEqual({ problem: 'Enter a whole number of minutes.' });
    expect(parseEmergencyMinutes('')).toHaveProperty('problem');
  });
});
