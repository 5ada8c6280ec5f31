// The manager's segmentation report as one self-contained HTML file: the map as inline SVG drawn
// from the deterministic layout, the zone × zone matrix of observed traffic, findings by zone and by
// criticality, and the policy changes since a version. It holds no script and loads nothing (its
// CSP forbids both), every text is escaped, and the markup is well-formed XML as well as HTML.
import type { Criticality } from '../../src-preload/contract';
import type {
  DeviceFindingKind,
  Verdict,
  VerdictReason,
  ZoneTier,
} from '../../src-preload/network/model';
import {
  criticalityOrder,
  deviceFindingKinds,
  externalZoneId,
} from '../../src-preload/network/model';
import type { MapZone, MapZoneEdge, NetworkMap } from './layout';
import type { ManagerReport } from './report';

export interface ReportHtmlInput {
  report: ManagerReport;
  /** The layout the map is drawn from (its zones, nodes and zone-pair edges). */
  map: NetworkMap;
  /** What the title names, e.g. the site. */
  title?: string;
}

export const criticalityLabels: Readonly<Record<Criticality, string>> = {
  life_sustaining: 'Life-sustaining',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  unassessed: 'Unassessed',
};

export const criticalityColours: Readonly<Record<Criticality, string>> = {
  life_sustaining: '#8e0000',
  high: '#e65100',
  medium: '#f9a825',
  low: '#558b2f',
  unassessed: '#9e9e9e',
};

/** Worst first: the order of the legend and of each breakdown. */
const verdictOrder: readonly Verdict[] = ['violation', 'insecure', 'monitored', 'allowed'];

export const verdictLabels: Readonly<Record<Verdict, string>> = {
  violation: 'Violation',
  insecure: 'Insecure (cleartext)',
  monitored: 'Monitored',
  allowed: 'Allowed',
};

export const verdictColours: Readonly<Record<Verdict, string>> = {
  violation: '#d50000',
  insecure: '#8e24aa',
  monitored: '#1e63d6',
  allowed: '#2e9d57',
};

const reasonLabels: Readonly<Record<VerdictReason, string>> = {
  'intra-zone': 'inside one zone',
  'conduit-allow': 'conduit allows',
  'conduit-monitor': 'conduit monitors',
  'conduit-deny': 'conduit denies',
  'no-conduit': 'no conduit (default deny)',
  'isolated-zone': 'isolated zone',
  cleartext: 'cleartext clinical protocol',
};

const deviceFindingLabels: Readonly<Record<DeviceFindingKind, string>> = {
  'zone-mismatch': 'Address outside the assigned zone',
  unzoned: 'In no zone',
  'assigned-zone-missing': 'Assigned to a zone the policy no longer has',
  'address-invalid': 'IP address not valid',
  'address-shared': 'IP address shared with another device',
};

const tierFills: Readonly<Record<ZoneTier, string>> = {
  life_sustaining: '#fdecea',
  high: '#fff3e0',
  medium: '#fffde7',
  low: '#f1f8e9',
};

/** Text for an HTML text node or a double- or single-quoted attribute. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Coordinates rounded to 0.1: short, and the same text on every machine. */
function coordinate(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/**
 * Text cut to what fits `width` at `fontSize` (about 0.6 em a character), ending in an ellipsis;
 * the full text stays in the element's title.
 */
function fitted(text: string, width: number, fontSize: number): string {
  const characters = Math.max(1, Math.floor(width / (fontSize * 0.6)));
  const glyphs = [...text];
  return glyphs.length <= characters ? text : `${glyphs.slice(0, characters - 1).join('')}…`;
}

function integer(value: number): string {
  return value.toLocaleString('en-US');
}

function isoFromMs(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '';
}

const styles = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1b1b; margin: 24px auto; max-width: 1200px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
p.meta { color: #555; margin: 0 0 16px; }
table { border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #d6d6d6; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; font-weight: 600; }
td.number, th.number { text-align: right; }
.summary td:first-child { font-weight: 600; }
.matrix td { text-align: center; min-width: 56px; } .matrix small { display: block; color: #333; }
.worst-violation { background: #ffcdd2; } .worst-insecure { background: #e1bee7; }
.worst-monitored { background: #d0e1fb; } .worst-allowed { background: #d7f0df; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 8px 0; }
.legend span { display: inline-flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 50%; }
.line { display: inline-block; width: 22px; height: 4px; }
svg.map { width: 100%; height: auto; border: 1px solid #e0e0e0; background: #fff; }
svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
svg .zone-name { font-weight: 600; fill: #222; } svg .zone-count { fill: #555; }
svg .cluster-count { font-weight: 600; fill: #fff; }
.none { color: #666; font-style: italic; }
`;

// Swatches are spans with a background colour: class names per colour keep colours out of style
// attributes, which the CSP's style-src would otherwise have to allow for every value.
function colourClasses(): string {
  const lines: string[] = [];
  for (const criticality of criticalityOrder) {
    lines.push(`.criticality-${criticality} { background: ${criticalityColours[criticality]}; }`);
  }
  for (const verdict of verdictOrder) {
    lines.push(`.verdict-${verdict} { background: ${verdictColours[verdict]}; }`);
  }
  return lines.join('\n');
}

interface Box {
  id: string;
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Where segment a→b leaves the box centred at a (the box's half sizes given). */
function boxExit(
  centreX: number,
  centreY: number,
  halfWidth: number,
  halfHeight: number,
  towardX: number,
  towardY: number,
): [number, number] {
  const dx = towardX - centreX;
  const dy = towardY - centreY;
  if (dx === 0 && dy === 0) return [centreX, centreY];
  const scale = Math.min(
    dx === 0 ? Number.POSITIVE_INFINITY : halfWidth / Math.abs(dx),
    dy === 0 ? Number.POSITIVE_INFINITY : halfHeight / Math.abs(dy),
  );
  return [centreX + dx * Math.min(scale, 1), centreY + dy * Math.min(scale, 1)];
}

function breakdown(edge: MapZoneEdge): string {
  return verdictOrder
    .filter((verdict) => edge.byVerdict[verdict] > 0)
    .map((verdict) => `${integer(edge.byVerdict[verdict])} ${verdictLabels[verdict].toLowerCase()}`)
    .join(', ');
}

function worstCriticality(criticalities: Iterable<Criticality>): Criticality {
  let worst: Criticality = 'unassessed';
  for (const criticality of criticalities) {
    if (criticalityOrder.indexOf(criticality) < criticalityOrder.indexOf(worst))
      worst = criticality;
  }
  return worst;
}

/** The width the map takes in the page; a wider layout is drawn scaled down to it. */
export const reportMapWidth = 1150;

/** The layout's header height (src-main/network/layout.ts) that text sizes are made for. */
export const reportHeaderHeight = 40;

const mapMargin = 24;

interface MapFrame {
  boxes: Map<string, Box>;
  right: number;
  bottom: number;
}

/** Every zone's box, with one for `external` when flows reach it but nothing is drawn there. */
function mapFrame(map: NetworkMap, nameOf: (zoneId: string) => string): MapFrame {
  const boxes = new Map<string, Box>(map.zones.map((zone) => [zone.id, zone]));
  let right = 0;
  let bottom = 0;
  for (const zone of map.zones) {
    right = Math.max(right, zone.x + zone.width);
    bottom = Math.max(bottom, zone.y + zone.height);
  }
  // Flows may reach `external` even when no device or open unknown address sits there.
  const referencesExternal = map.zoneEdges.some(
    (edge) => edge.from === externalZoneId || edge.to === externalZoneId,
  );
  if (referencesExternal && !boxes.has(externalZoneId)) {
    const x = map.zones.length === 0 ? 0 : right + 96;
    boxes.set(externalZoneId, {
      id: externalZoneId,
      name: nameOf(externalZoneId),
      x,
      y: 0,
      width: 240,
      height: 120,
    });
    right = x + 240;
    bottom = Math.max(bottom, 120);
  }
  return { boxes, right, bottom };
}

/**
 * How much the page shrinks the map (1 when it fits). Text, rings and lines are drawn that much
 * larger so they stay legible; lay the map out with headerHeight = reportHeaderHeight × this so
 * the larger zone titles fit (the header changes heights only, never the scale).
 */
export function reportMapScale(map: NetworkMap): number {
  const frame = mapFrame(map, (zoneId) => zoneId);
  return Math.max(1, (frame.right + 2 * mapMargin) / reportMapWidth);
}

function renderMap(map: NetworkMap, nameOf: (zoneId: string) => string): string {
  if (map.zones.length === 0 && map.zoneEdges.length === 0) {
    return '<p class="none">No zones are defined and no flows were observed: there is no map to draw.</p>';
  }
  const { boxes, right, bottom } = mapFrame(map, nameOf);
  const margin = mapMargin;
  const width = right + 2 * margin;
  const height = bottom + 2 * margin;
  const unit = Math.max(1, width / reportMapWidth);
  const out: string[] = [
    `<svg class="map" xmlns="http://www.w3.org/2000/svg" viewBox="${coordinate(-margin)} ${coordinate(-margin)} ${coordinate(width)} ${coordinate(height)}" role="img" aria-label="Map of zones, devices and observed traffic between zones">`,
    '<defs>',
  ];
  for (const verdict of verdictOrder) {
    out.push(
      `<marker id="arrow-${verdict}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${verdictColours[verdict]}"/></marker>`,
    );
  }
  out.push('</defs>');

  const zonesById = new Map<string, MapZone>(map.zones.map((zone) => [zone.id, zone]));
  for (const box of boxes.values()) {
    const zone = zonesById.get(box.id);
    const tier = zone?.tier ?? null;
    const fill = tier === null ? '#f5f5f5' : tierFills[tier];
    const stroke = tier === null ? '#9e9e9e' : criticalityColours[tier];
    const devices = zone ? zone.deviceCount : 0;
    const unknown = zone ? zone.unknownCount : 0;
    const counts = `${integer(devices)} device${devices === 1 ? '' : 's'}${unknown > 0 ? `, ${integer(unknown)} unknown` : ''}`;
    const nameSize = 13 * unit;
    // The top-right corner keeps room for the ring of traffic inside the zone.
    const across = fitted(box.name, box.width - 44 * unit, nameSize);
    const upright = across === box.name || box.height - 40 * unit <= box.width;
    const x = box.x + 10 * unit;
    out.push(
      `<g class="zone"><title>${escapeHtml(`${box.name} (${box.id}): ${counts}`)}</title>`,
      `<rect x="${coordinate(box.x)}" y="${coordinate(box.y)}" width="${coordinate(box.width)}" height="${coordinate(box.height)}" rx="8" fill="${fill}" stroke="${stroke}" stroke-width="${coordinate(2 * unit)}"${zone?.isolate ? ` stroke-dasharray="${coordinate(8 * unit)} ${coordinate(4 * unit)}"` : ''}/>`,
      upright
        ? `<text class="zone-name" x="${coordinate(x)}" y="${coordinate(box.y + 19 * unit)}" font-size="${coordinate(nameSize)}">${escapeHtml(across)}</text>\n` +
            `<text class="zone-count" x="${coordinate(x)}" y="${coordinate(box.y + 34 * unit)}" font-size="${coordinate(11 * unit)}">${escapeHtml(fitted(counts, box.width - 20 * unit, 11 * unit))}</text>`
        : // A narrow zone writes its name down its left edge, beside its devices.
          `<text class="zone-name" x="${coordinate(x)}" y="${coordinate(box.y + 10 * unit)}" font-size="${coordinate(nameSize)}" transform="rotate(90 ${coordinate(x)} ${coordinate(box.y + 10 * unit)})">${escapeHtml(fitted(box.name, box.height - 20 * unit, nameSize))}</text>`,
      '</g>',
    );
  }

  const collapsed = new Set(map.zones.filter((zone) => zone.collapsed).map((zone) => zone.id));
  const clusterCriticalities = new Map<string, Criticality[]>();
  for (const node of map.nodes) {
    if (collapsed.has(node.zoneId)) {
      const list = clusterCriticalities.get(node.zoneId) ?? [];
      list.push(node.criticality);
      clusterCriticalities.set(node.zoneId, list);
      continue;
    }
    const where = node.address === null ? '' : `, ${node.address}`;
    const findings =
      node.findings.length === 0
        ? ''
        : `; ${node.findings.map((finding) => deviceFindingLabels[finding]).join('; ')}`;
    const what = node.kind === 'unknown' ? 'unknown address' : criticalityLabels[node.criticality];
    out.push(
      `<circle cx="${coordinate(node.x)}" cy="${coordinate(node.y)}" r="9" fill="${node.kind === 'unknown' ? '#ffffff' : criticalityColours[node.criticality]}" stroke="${node.kind === 'unknown' ? '#555555' : '#ffffff'}" stroke-width="1.5"><title>${escapeHtml(`${node.label}${where} (${what})${findings}`)}</title></circle>`,
    );
  }
  for (const zone of map.zones) {
    if (!zone.collapsed) continue;
    const members = clusterCriticalities.get(zone.id) ?? [];
    const radius = Math.max(18, Math.min(zone.width, zone.height - 40) / 4);
    const perCriticality = criticalityOrder
      .map((criticality) => ({
        criticality,
        count: members.filter((member) => member === criticality).length,
      }))
      .filter((entry) => entry.count > 0)
      .map(
        (entry) => `${integer(entry.count)} ${criticalityLabels[entry.criticality].toLowerCase()}`,
      )
      .join(', ');
    out.push(
      `<g class="cluster"><title>${escapeHtml(`${zone.name}: ${integer(members.length)} devices and addresses (${perCriticality})`)}</title>`,
      `<circle cx="${coordinate(zone.clusterX)}" cy="${coordinate(zone.clusterY)}" r="${coordinate(radius)}" fill="${criticalityColours[worstCriticality(members)]}"/>`,
      `<text class="cluster-count" x="${coordinate(zone.clusterX)}" y="${coordinate(zone.clusterY + 5 * unit)}" font-size="${coordinate(14 * unit)}" text-anchor="middle">${integer(members.length)}</text>`,
      '</g>',
    );
  }

  const pairs = new Set(map.zoneEdges.map((edge) => `${edge.from}>${edge.to}`));
  for (const edge of map.zoneEdges) {
    const from = boxes.get(edge.from);
    const to = boxes.get(edge.to);
    if (!from || !to) continue;
    const colour = verdictColours[edge.verdict];
    const label = `${nameOf(edge.from)} → ${nameOf(edge.to)}: ${integer(edge.flows)} flow${edge.flows === 1 ? '' : 's'}, ${integer(edge.connections)} connections (${breakdown(edge)})`;
    const strokeWidth = coordinate((2 + Math.log2(edge.flows + 1)) * unit);
    if (edge.from === edge.to) {
      // Traffic inside one zone: a ring at the zone's top-right corner, coloured by its worst verdict.
      out.push(
        `<circle cx="${coordinate(from.x + from.width - 18 * unit)}" cy="${coordinate(from.y + 18 * unit)}" r="${coordinate(9 * unit)}" fill="none" stroke="${colour}" stroke-width="${strokeWidth}"><title>${escapeHtml(label)}</title></circle>`,
      );
      continue;
    }
    let fromX = from.x + from.width / 2;
    let fromY = from.y + from.height / 2;
    let toX = to.x + to.width / 2;
    let toY = to.y + to.height / 2;
    if (pairs.has(`${edge.to}>${edge.from}`)) {
      // Both directions observed: each line moves to its own side.
      const length = Math.hypot(toX - fromX, toY - fromY) || 1;
      const offsetX = (-(toY - fromY) / length) * 5 * unit;
      const offsetY = ((toX - fromX) / length) * 5 * unit;
      fromX += offsetX;
      fromY += offsetY;
      toX += offsetX;
      toY += offsetY;
    }
    const [startX, startY] = boxExit(fromX, fromY, from.width / 2, from.height / 2, toX, toY);
    const [endX, endY] = boxExit(toX, toY, to.width / 2, to.height / 2, fromX, fromY);
    out.push(
      `<line x1="${coordinate(startX)}" y1="${coordinate(startY)}" x2="${coordinate(endX)}" y2="${coordinate(endY)}" stroke="${colour}" stroke-width="${strokeWidth}" stroke-opacity="0.85" marker-end="url(#arrow-${edge.verdict})"><title>${escapeHtml(label)}</title></line>`,
    );
  }
  out.push('</svg>');
  return out.join('\n');
}

function legend(): string {
  const dots = criticalityOrder
    .map(
      (criticality) =>
        `<span><i class="swatch criticality-${criticality}"></i>${escapeHtml(criticalityLabels[criticality])}</span>`,
    )
    .join('');
  const lines = verdictOrder
    .map(
      (verdict) =>
        `<span><i class="line verdict-${verdict}"></i>${escapeHtml(verdictLabels[verdict])}</span>`,
    )
    .join('');
  return [
    `<div class="legend"><strong>Devices (dots) by criticality:</strong>${dots}<span><i class="swatch unknown-address"></i>Unknown address (white)</span></div>`,
    `<div class="legend"><strong>Traffic between zones (lines) by worst verdict:</strong>${lines}</div>`,
    '<div class="legend"><span>A ring at a zone’s corner is the traffic inside it; a dashed border marks an isolated zone; a large disc stands for a zone with many devices.</span></div>',
  ].join('\n');
}

function table(
  headers: readonly string[],
  rows: readonly string[][],
  numeric: readonly boolean[],
): string {
  const head = headers
    .map(
      (header, index) => `<th${numeric[index] ? ' class="number"' : ''}>${escapeHtml(header)}</th>`,
    )
    .join('');
  const body = rows
    .map(
      (row) =>
        `<tr>${row.map((cell, index) => `<td${numeric[index] ? ' class="number"' : ''}>${escapeHtml(cell)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

function matrix(
  map: NetworkMap,
  report: ManagerReport,
  nameOf: (zoneId: string) => string,
): string {
  const ids = report.byZone.map((zone) => zone.zoneId);
  const edges = new Map(map.zoneEdges.map((edge) => [`${edge.from}>${edge.to}`, edge]));
  // `external` is a row only when traffic reaches it.
  const used = ids.filter(
    (id) =>
      id !== externalZoneId ||
      map.zoneEdges.some((edge) => edge.from === externalZoneId || edge.to === externalZoneId),
  );
  if (used.length === 0) return '<p class="none">No zones are defined.</p>';
  const head = used
    .map((id) => `<th title="${escapeHtml(id)}">${escapeHtml(nameOf(id))}</th>`)
    .join('');
  const rows = used.map((from) => {
    const cells = used.map((to) => {
      const edge = edges.get(`${from}>${to}`);
      if (!edge) return '<td>·</td>';
      return `<td class="worst-${edge.verdict}" title="${escapeHtml(`${nameOf(from)} → ${nameOf(to)}`)}">${integer(edge.flows)}<small>${escapeHtml(breakdown(edge))}</small></td>`;
    });
    return `<tr><th title="${escapeHtml(from)}">${escapeHtml(nameOf(from))}</th>${cells.join('')}</tr>`;
  });
  return [
    '<table class="matrix">',
    `<thead><tr><th>from \\ to</th>${head}</tr></thead>`,
    '<tbody>',
    ...rows,
    '</tbody>',
    '</table>',
  ].join('\n');
}

function changeCounts(counts: { created: number; updated: number; deleted: number }): string {
  return `+${counts.created} ~${counts.updated} −${counts.deleted}`;
}

/** The whole report: a complete HTML document, deterministic for the same input. */
export function renderReportHtml(input: ReportHtmlInput): string {
  const { report, map } = input;
  const names = new Map<string, string>();
  for (const zone of report.byZone) names.set(zone.zoneId, zone.name);
  for (const zone of map.zones) if (!names.has(zone.id)) names.set(zone.id, zone.name);
  const nameOf = (zoneId: string): string => names.get(zoneId) ?? zoneId;
  const title = input.title ?? 'Network segmentation report';
  const counts = report.flows.byVerdict;
  const since = report.changesSince;

  const summary = table(
    ['Figure', 'Value'],
    [
      ['Policy version', String(report.policyVersion)],
      ['Observed flows', integer(report.flows.total)],
      ['Connections', integer(report.flows.connections)],
      ...verdictOrder.map((verdict) => [
        `${verdictLabels[verdict]} flows`,
        integer(counts[verdict]),
      ]),
      ['Devices in the inventory', integer(report.devices.total)],
      ['Unknown addresses to triage', integer(report.unknownDevices.open)],
    ],
    [false, true],
  ).replace('<table>', '<table class="summary">');

  const byZone = table(
    [
      'Zone',
      'Clinical risk',
      'Flows',
      'Violations',
      'Insecure',
      'Monitored',
      'Connections in findings',
    ],
    report.byZone.map((zone) => [
      zone.name,
      zone.tier === null ? '—' : criticalityLabels[zone.tier],
      integer(zone.flows),
      integer(zone.violations),
      integer(zone.insecure),
      integer(zone.monitored),
      integer(zone.findingConnections),
    ]),
    [false, false, true, true, true, true, true],
  );

  const byCriticality = table(
    ['Worst criticality involved', 'Violations', 'Insecure'],
    report.byCriticality.map((figures) => [
      criticalityLabels[figures.criticality],
      integer(figures.violations),
      integer(figures.insecure),
    ]),
    [false, true, true],
  );

  const findings =
    report.topFindings.length === 0
      ? '<p class="none">No violations and no insecure flows.</p>'
      : table(
          [
            'Risk',
            'Verdict',
            'Why',
            'From',
            'To',
            'Protocol',
            'Connections',
            'Conduit',
            'Last seen',
          ],
          report.topFindings.map((finding) => [
            criticalityLabels[finding.risk],
            verdictLabels[finding.verdict],
            finding.cleartext ?? reasonLabels[finding.reason],
            `${finding.source} (${nameOf(finding.sourceZoneId)})`,
            `${finding.destination} (${nameOf(finding.destinationZoneId)})`,
            `${finding.protocol}/${finding.port}`,
            integer(finding.count),
            finding.conduitId ?? '—',
            isoFromMs(finding.lastSeenMs),
          ]),
          [false, false, false, false, false, false, true, false, false],
        );

  const deviceFindings = table(
    ['Device finding', 'Devices'],
    deviceFindingKinds.map((kind) => [
      deviceFindingLabels[kind],
      integer(report.devices.findings[kind]),
    ]),
    [false, true],
  );

  const unknownByZone = Object.entries(report.unknownDevices.openByZone).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const unknown =
    unknownByZone.length === 0
      ? '<p class="none">No unknown addresses wait for triage.</p>'
      : table(
          ['Zone', 'Unknown addresses'],
          unknownByZone.map(([zoneId, open]) => [nameOf(zoneId), integer(open)]),
          [false, true],
        );

  const changes =
    since.versions.length === 0
      ? `<p class="none">No policy changes since version ${since.fromVersion}.</p>`
      : table(
          ['Version', 'When', 'Who', 'Kind', 'Why', 'Zones', 'Conduits', 'Assignments'],
          since.versions.map((version) => [
            String(version.version),
            version.at,
            version.actor,
            version.revertedTo === null ? version.kind : `revert to ${version.revertedTo}`,
            version.reason,
            changeCounts(version.zones),
            changeCounts(version.conduits),
            changeCounts(version.assignments),
          ]),
          [true, false, false, false, false, false, false, false],
        );

  return [
    '<!DOCTYPE html>',
    '<html xmlns="http://www.w3.org/1999/xhtml" lang="en">',
    '<head>',
    '<meta charset="utf-8"/>',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/>`,
    '<meta name="referrer" content="no-referrer"/>',
    '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${styles}${colourClasses()}\n.unknown-address { background: #ffffff; border: 1px solid #555555; }\n</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="meta">Policy version ${report.policyVersion}, generated ${escapeHtml(report.generatedAt)} by Wardkeep. Flows come from passive captures; nothing was scanned.</p>`,
    '<h2>Summary</h2>',
    summary,
    '<h2>Map</h2>',
    legend(),
    renderMap(map, nameOf),
    '<h2>Traffic between zones</h2>',
    '<p>Observed flows from each zone (rows) to each zone (columns), coloured by the worst verdict among them.</p>',
    matrix(map, report, nameOf),
    '<h2>Findings by zone</h2>',
    '<p>A flow counts once for each zone it touches.</p>',
    byZone,
    '<h2>Findings by clinical risk</h2>',
    byCriticality,
    '<h2>Worst findings</h2>',
    findings,
    '<h2>Devices</h2>',
    deviceFindings,
    '<h2>Unknown addresses</h2>',
    unknown,
    `<h2>Policy changes since version ${since.fromVersion}</h2>`,
    changes,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
