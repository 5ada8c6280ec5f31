import { describe, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type {
  CurrentPolicySchema,
  FindingSchema,
  FindingsSummarySchema,
  FlowImportReportSchema,
  ManagerReportSchema,
  NetworkMapSchema,
  PolicyChangeRecordSchema,
  PolicyVersionRecordSchema,
  UnknownDeviceSchema,
  VerdictChangeSchema,
  VerdictCountsSchema,
} from '../../src-preload/network/results';
import type { UnknownDevice } from '../../src-preload/network/model';
import type { Finding, VerdictCounts } from './evaluate';
import type { NetworkMap } from './layout';
import type { ManagerReport } from './report';
import type { PolicyChangeRecord, PolicyVersionRecord } from './repository';
import type { CurrentPolicy, FindingsSummary, FlowImportReport } from './service';
import type { VerdictChange } from './whatif';

// Compile-time checks (tsc runs over test files): the contract's result schemas and main's types
// describe the same values, field for field, so neither side can drift from the other.
describe('network result schemas', () => {
  it('describe exactly the types main returns', () => {
    expectTypeOf<z.output<typeof NetworkMapSchema>>().toEqualTypeOf<NetworkMap>();
    expectTypeOf<z.output<typeof ManagerReportSchema>>().toEqualTypeOf<ManagerReport>();
    expectTypeOf<z.output<typeof CurrentPolicySchema>>().toEqualTypeOf<CurrentPolicy>();
    expectTypeOf<z.output<typeof PolicyVersionRecordSchema>>().toEqualTypeOf<PolicyVersionRecord>();
    expectTypeOf<z.output<typeof PolicyChangeRecordSchema>>().toEqualTypeOf<PolicyChangeRecord>();
    expectTypeOf<z.output<typeof FlowImportReportSchema>>().toEqualTypeOf<FlowImportReport>();
    expectTypeOf<z.output<typeof UnknownDeviceSchema>>().toEqualTypeOf<UnknownDevice>();
    expectTypeOf<z.output<typeof FindingSchema>>().toEqualTypeOf<Finding>();
    expectTypeOf<z.output<typeof FindingsSummarySchema>>().toEqualTypeOf<FindingsSummary>();
    expectTypeOf<z.output<typeof VerdictChangeSchema>>().toEqualTypeOf<VerdictChange>();
    expectTypeOf<z.output<typeof VerdictCountsSchema>>().toEqualTypeOf<VerdictCounts>();
  });
});
