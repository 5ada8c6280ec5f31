// Zone regions on the map canvas: the rectangles the deterministic layout gave each zone, their
// titles, and which region a point falls in. Geometry is pure; drawRegions only paints it.
// Invariant: titles are sized in screen pixels (readable at any zoom) but never wider than their
// region, so a title never spills over a neighbouring zone.
import { formatQuantity } from '../shared/format';
import { criticalityLabels } from '../shared/labels';
import type { RegionStyle } from './mapStyle';
import { regionStyle } from './mapStyle';
import type { MapZone } from './types';

export interface Region {
  zoneId: string;
  x: number;
  y: number;
  width: number;
  height: number;
  title: string;
  /** Tier, device count and what else is worth knowing at a glance. */
  subtitle: string;
  style: RegionStyle;
}

export interface Point {
  x: number;
  y: number;
}

export function regionsOf(zones: readonly MapZone[]): Region[] {
  return zones.map((zone) => ({
    zoneId: zone.id,
    x: zone.x,
    y: zone.y,
    width: zone.width,
    height: zone.height,
    title: zone.name,
    subtitle: regionSubtitle(zone),
    style: regionStyle(zone.tier),
  }));
}

function regionSubtitle(zone: MapZone): string {
  const parts = [
    zone.tier === null ? 'outside every zone' : criticalityLabels[zone.tier],
    formatQuantity(zone.deviceCount, 'device'),
  ];
  if (zone.unknownCount > 0) parts.push(`${formatQuantity(zone.unknownCount, 'unknown')}`);
  if (zone.isolate) parts.push('isolated');
  return parts.join(' · ');
}

/** The innermost (smallest) region holding the point, or null outside every region. */
export function regionAt(regions: readonly Region[], point: Point): Region | null {
  let found: Region | null = null;
  for (const region of regions) {
    const inside =
      point.x >= region.x &&
      point.x <= region.x + region.width &&
      point.y >= region.y &&
      point.y <= region.y + region.height;
    if (inside && (found === null || region.width * region.height < found.width * found.height)) {
      found = region;
    }
  }
  return found;
}

/** Title size on screen, in CSS pixels, before fitting to the region. */
export const titleScreenSize = 14;
/** Roughly the width of one character of the title font, as a share of its size. */
const characterWidth = 0.56;
const padding = 8;
/**
 * A title written upwards along the left edge stays left of the first column of devices (the
 * layout puts their centres 48 units in, discs 8 units wide): 8 units of margin, 28 of text.
 */
const sideTitleMaximum = 28;

/**
 * The title's font size in canvas units at this zoom: `titleScreenSize` on screen, shrunk so the
 * title fits the region's width.
 */
export function titleFontSize(region: Region, scale: number): number {
  const wanted = titleScreenSize / Math.max(scale, 1e-6);
  const fitting =
    (region.width - 2 * padding) / (Math.max(region.title.length, 1) * characterWidth);
  return Math.max(1, Math.min(wanted, fitting));
}

export interface TitleLayout {
  /**
   * Across the top with the subtitle under it, or upwards along the left edge of a narrow, tall
   * region without the subtitle (which would run into the devices).
   */
  orientation: 'across' | 'upwards';
  size: number;
}

/**
 * How a region's title is written at this zoom: across the top when it can be read there, else
 * upwards along the left edge when that gives it a bigger size (a zone one device wide but many
 * tall, beside a large zone, would otherwise have an unreadable title).
 */
export function titleLayout(region: Region, scale: number): TitleLayout {
  const across = titleFontSize(region, scale);
  const wanted = titleScreenSize / Math.max(scale, 1e-6);
  const alongEdge =
    (region.height - 2 * padding) / (Math.max(region.title.length, 1) * characterWidth);
  const upwards = Math.max(1, Math.min(wanted, alongEdge, sideTitleMaximum));
  if (across >= wanted * 0.75 || upwards <= across * 1.25) {
    return { orientation: 'across', size: across };
  }
  return { orientation: 'upwards', size: upwards };
}

/** Bounding box of all regions, for fitting the view. */
export function regionBounds(regions: readonly Region[]): {
  x: number;
  y: number;
  width: number;
  height: number;
} | null {
  if (regions.length === 0) return null;
  let left = Infinity;
  let top = Infinity;
  let right = -Infinity;
  let bottom = -Infinity;
  for (const region of regions) {
    left = Math.min(left, region.x);
    top = Math.min(top, region.y);
    right = Math.max(right, region.x + region.width);
    bottom = Math.max(bottom, region.y + region.height);
  }
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/** The view (centre and zoom) that shows the whole box in a viewport, with a margin around it. */
export function fitView(
  bounds: { x: number; y: number; width: number; height: number },
  viewport: { width: number; height: number },
  margin = 24,
): { position: Point; scale: number } {
  const usableWidth = Math.max(1, viewport.width - 2 * margin);
  const usableHeight = Math.max(1, viewport.height - 2 * margin);
  const scale = Math.min(
    usableWidth / Math.max(1, bounds.width),
    usableHeight / Math.max(1, bounds.height),
  );
  return {
    position: { x: bounds.x + bounds.width / 2, y: bounds.y + bounds.height / 2 },
    scale: Math.min(2, scale),
  };
}

/** The 2D drawing calls drawRegions needs: a canvas context, or a recorder in tests. */
export type RegionPainter = Pick<
  CanvasRenderingContext2D,
  | 'translate'
  | 'rotate'
  | 'fillStyle'
  | 'strokeStyle'
  | 'lineWidth'
  | 'font'
  | 'textBaseline'
  | 'fillRect'
  | 'strokeRect'
  | 'fillText'
  | 'save'
  | 'restore'
  | 'setLineDash'
>;

/** Paints the regions in canvas coordinates (vis-network's beforeDrawing context). */
export function drawRegions(
  painter: RegionPainter,
  regions: readonly Region[],
  scale: number,
  highlighted: ReadonlySet<string>,
): void {
  painter.save();
  for (const region of regions) {
    const emphasis = highlighted.has(region.zoneId);
    painter.fillStyle = region.style.fill;
    painter.fillRect(region.x, region.y, region.width, region.height);
    painter.setLineDash(region.zoneId === 'external' ? [12 / scale, 6 / scale] : []);
    painter.lineWidth = (emphasis ? 3 : 1.25) / Math.max(scale, 1e-6);
    painter.strokeStyle = emphasis ? '#0b57b0' : region.style.border;
    painter.strokeRect(region.x, region.y, region.width, region.height);
    const title = titleLayout(region, scale);
    painter.fillStyle = region.style.title;
    painter.font = `600 ${title.size}px system-ui, sans-serif`;
    if (title.orientation === 'upwards') {
      painter.save();
      painter.translate(region.x + padding, region.y + region.height - padding);
      painter.rotate(-Math.PI / 2);
      painter.textBaseline = 'top';
      painter.fillText(region.title, 0, 0, region.height - 2 * padding);
      painter.restore();
      continue;
    }
    painter.textBaseline = 'top';
    painter.fillText(
      region.title,
      region.x + padding,
      region.y + padding,
      region.width - 2 * padding,
    );
    painter.font = `${title.size * 0.8}px system-ui, sans-serif`;
    painter.fillText(
      region.subtitle,
      region.x + padding,
      region.y + padding + title.size * 1.25,
      region.width - 2 * padding,
    );
  }
  painter.restore();
}
