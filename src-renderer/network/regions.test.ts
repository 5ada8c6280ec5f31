import { describe, expect, it } from 'vitest';
import type { RegionPainter } from './regions';
import {
  drawRegions,
  fitView,
  regionAt,
  regionBounds,
  regionsOf,
  titleFontSize,
  titleLayout,
  titleScreenSize,
} from './regions';
import { testMap } from './testMap';

describe('regionsOf', () => {
  it('gives every zone its rectangle, title and a subtitle with tier and counts', () => {
    const regions = regionsOf(testMap().zones);
    expect(regions.map((region) => [region.zoneId, region.x, region.y])).toEqual([
      ['life', 0, 0],
      ['med', 296, 0],
      ['it', 0, 246],
      ['external', 296, 246],
    ]);
    expect(regions[0]!.subtitle).toBe('Life-sustaining · 2 devices · isolated');
    expect(regions[3]!.subtitle).toBe('outside every zone · 0 devices · 1 unknown');
  });
});

describe('regionAt', () => {
  it('finds the region under a point and nothing in the gap between regions', () => {
    const regions = regionsOf(testMap().zones);
    expect(regionAt(regions, { x: 350, y: 20 })?.zoneId).toBe('med');
    expect(regionAt(regions, { x: 250, y: 20 })).toBeNull();
  });

  it('prefers the smallest region when regions overlap', () => {
    const regions = regionsOf(testMap().zones);
    const inner = { ...regions[0]!, zoneId: 'inner', width: 50, height: 50 };
    expect(regionAt([...regions, inner], { x: 10, y: 10 })?.zoneId).toBe('inner');
  });
});

describe('titleFontSize', () => {
  it('keeps the title the same size on screen as the view zooms', () => {
    const region = { ...regionsOf(testMap().zones)[0]!, width: 2000 };
    expect(titleFontSize(region, 1)).toBe(titleScreenSize);
    expect(titleFontSize(region, 0.5)).toBe(titleScreenSize * 2);
  });

  it('never lets a title grow wider than its region', () => {
    const [region] = regionsOf(testMap().zones);
    const tiny = titleFontSize(region!, 0.01);
    expect(tiny * region!.title.length * 0.56).toBeLessThanOrEqual(region!.width);
  });
});

describe('titleLayout', () => {
  it('writes a title across the top when it reads there', () => {
    const region = { ...regionsOf(testMap().zones)[0]!, width: 2000 };
    expect(titleLayout(region, 1)).toEqual({ orientation: 'across', size: titleScreenSize });
  });

  it('writes the title of a narrow, tall zone upwards along its edge, left of its devices', () => {
    const region = { ...regionsOf(testMap().zones)[0]!, width: 96, height: 1200 };
    const layout = titleLayout(region, 0.4);
    expect(layout.orientation).toBe('upwards');
    expect(layout.size).toBeGreaterThan(titleFontSize(region, 0.4) * 1.25);
    expect(layout.size).toBeLessThanOrEqual(28);
  });

  it('keeps a small zone’s title across when going upwards would not make it bigger', () => {
    const region = { ...regionsOf(testMap().zones)[0]!, width: 96, height: 96 };
    expect(titleLayout(region, 1).orientation).toBe('across');
  });
});

describe('fitView', () => {
  it('centres the whole map and zooms so it fits with a margin', () => {
    const bounds = regionBounds(regionsOf(testMap().zones))!;
    expect(bounds).toEqual({ x: 0, y: 0, width: 496, height: 396 });
    const view = fitView(bounds, { width: 1048, height: 444 }, 24);
    expect(view.position).toEqual({ x: 248, y: 198 });
    expect(view.scale).toBeCloseTo(1, 5);
  });

  it('does not zoom in beyond twice the natural size on a small map', () => {
    expect(fitView({ x: 0, y: 0, width: 10, height: 10 }, { width: 800, height: 600 }).scale).toBe(
      2,
    );
  });
});

describe('drawRegions', () => {
  it('paints each region and outlines the highlighted ones more heavily', () => {
    const calls: string[] = [];
    const widths: number[] = [];
    const painter = {
      fillStyle: '',
      strokeStyle: '',
      font: '',
      textBaseline: 'alphabetic',
      save: () => calls.push('save'),
      translate: () => calls.push('translate'),
      rotate: () => calls.push('rotate'),
      restore: () => calls.push('restore'),
      setLineDash: () => undefined,
      fillRect: () => calls.push('fillRect'),
      strokeRect: () => calls.push('strokeRect'),
      fillText: (text: string) => calls.push(`text ${text}`),
      set lineWidth(width: number) {
        widths.push(width);
      },
      get lineWidth() {
        return widths.at(-1) ?? 1;
      },
    } as unknown as RegionPainter;
    const regions = regionsOf(testMap().zones).slice(0, 2);
    drawRegions(painter, regions, 1, new Set(['med']));
    expect(calls).toEqual([
      'save',
      'fillRect',
      'strokeRect',
      'text Life-sustaining',
      'text Life-sustaining · 2 devices · isolated',
      'fillRect',
      'strokeRect',
      'text Medical devices',
      'text High · 2 devices',
      'restore',
    ]);
    expect(widths[1]!).toBeGreaterThan(widths[0]!);
  });

  it('turns the title of a narrow, tall region and leaves its subtitle out', () => {
    const calls: string[] = [];
    const painter = {
      save: () => calls.push('save'),
      restore: () => calls.push('restore'),
      translate: () => calls.push('translate'),
      rotate: (angle: number) => calls.push(`rotate ${angle.toFixed(3)}`),
      setLineDash: () => undefined,
      fillRect: () => undefined,
      strokeRect: () => undefined,
      fillText: (text: string) => calls.push(`text ${text}`),
    } as unknown as RegionPainter;
    const region = { ...regionsOf(testMap().zones)[0]!, width: 96, height: 1200 };
    drawRegions(painter, [region], 0.4, new Set());
    expect(calls).toEqual([
      'save',
      'save',
      'translate',
      'rotate -1.571',
      'text Life-sustaining',
      'restore',
      'restore',
    ]);
  });
});
