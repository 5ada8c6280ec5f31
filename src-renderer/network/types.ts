// The network view's names for what main answers: the map, the policy, findings and what-if, read
// from the contract's result types so they cannot drift from what main sends.
// Invariant: types only; nothing here exists at run time.
import type { ResultOf } from '../../src-preload/contract';

export type NetworkMap = ResultOf<'network:map'>;
export type MapZone = NetworkMap['zones'][number];
export type MapNode = NetworkMap['nodes'][number];
export type MapEdge = NetworkMap['edges'][number];
export type MapZoneEdge = NetworkMap['zoneEdges'][number];
export type CurrentPolicy = ResultOf<'network:policy'>;
export type FindingsSummary = ResultOf<'network:findings'>;
export type Finding = FindingsSummary['findings'][number];
export type WhatIf = ResultOf<'network:what-if'>;
export type VerdictChange = WhatIf['changes'][number];
export type PolicyVersionRecord = ResultOf<'network:apply'>;
export type PolicyVersionList = ResultOf<'network:versions'>;
export type FlowImportReport = ResultOf<'flows:import'>;
export type FlowIssue = FlowImportReport['issues'][number];
export type UnknownDevice = ResultOf<'network:unknown'>[number];
export type ExportedFile = ResultOf<'network:export'>;
