import { describe, expect, it } from 'vitest';
import { pkiAccessOf } from './pkiAccess';

describe('pkiAccessOf', () => {
  it('gives an engineer every PKI and exception control', () => {
    expect(pkiAccessOf('engineer', false)).toEqual({
      readOverview: true,
      provision: true,
      manage: true,
      manageWithStepUp: true,
      reviewExceptions: true,
      writeExceptions: true,
    });
  });

  it('lets a technician provision and read the overview but change nothing', () => {
    expect(pkiAccessOf('technician', false)).toEqual({
      readOverview: true,
      provision: true,
      manage: false,
      manageWithStepUp: false,
      reviewExceptions: false,
      writeExceptions: false,
    });
  });

  it('offers no step-up action in an emergency session, but keeps the others', () => {
    expect(pkiAccessOf('engineer', true)).toMatchObject({
      manage: true,
      manageWithStepUp: false,
      reviewExceptions: true,
      writeExceptions: false,
    });
  });

  it('keeps managers and administrators to the lists main lets them read', () => {
    for (const role of ['manager', 'administrator'] as const) {
      expect(pkiAccessOf(role, false)).toMatchObject({
        readOverview: false,
        provision: false,
        manage: false,
        writeExceptions: false,
      });
    }
  });
});
