import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conduit, NetworkDevice, ObservedFlow, Zone } from '../../src-preload/network/model';
import { launchBrowser } from '../../test/support/browser';
import { compilePolicy, evaluateFlows, resolveDeviceZones } from './evaluate';
import type { LayoutOptions, NetworkMap } from './layout';
import { layoutNetworkMap } from './layout';
import type { ManagerReport } from './report';
import { buildManagerReport } from './report';
import { escapeHtml, renderReportHtml, reportMapScale, reportMapWidth } from './report-html';
import { assertValidPolicy } from './template';

const hostileZoneName = '<script>alert("x")</script> & ICU';

function zone(id: string, subnets: string[], extra: Partial<Zone> = {}): Zone {
  return {
    id,
    name: id,
    description: '',
    tier: 'medium',
    clinical: false,
    isolate: false,
    vlans: [],
    subnets,
    ...extra,
  };
}

const httpsToIcu: Conduit = {
  id: 'office-icu-https',
  from: 'office',
  to: 'icu',
  protocol: 'tcp',
  ports: [{ from: 443, to: 443 }],
  direction: 'one-way',
  state: 'allow',
  purpose: 'charting',
};

const policy = assertValidPolicy({
  zones: [
    zone('icu', ['10.1.0.0/16'], {
      name: hostileZoneName,
      tier: 'life_sustaining',
      clinical: true,
      isolate: true,
    }),
    zone('office', ['10.2.0.0/16'], { name: 'O\'Brien "Office"', tier: 'low' }),
  ],
  conduits: [httpsToIcu],
});

function device(
  id: number,
  label: string,
  ipAddress: string,
  criticality: NetworkDevice['criticality'],
): NetworkDevice {
  return {
    id,
    uid: `uid-${id}`,
    label,
    ipAddress,
    zoneId: null,
    criticality,
    deviceClass: 'other',
  };
}

const devices: NetworkDevice[] = [
  device(1, '<img src=x onerror=alert(1)>', '10.1.0.10', 'life_sustaining'),
  device(2, 'PUMP-2', '10.1.0.11', 'life_sustaining'),
  device(3, 'PC-1', '10.2.0.7', 'low'),
];

function flow(
  id: number,
  source: string,
  destination: string,
  port: number,
  count = 1,
): ObservedFlow {
  return {
    id,
    source,
    destination,
    protocol: 'tcp',
    port,
    bytes: 100,
    count,
    tlsCount: 0,
    services: [],
    firstSeenMs: Date.UTC(2026, 0, 1),
    lastSeenMs: Date.UTC(2026, 0, 1, 0, 5),
  };
}

const flows: ObservedFlow[] = [
  flow(1, '10.2.0.7', '10.1.0.10', 443, 40), // allowed by the conduit
  flow(2, '10.1.0.10', '10.2.0.7', 8080, 3), // no conduit back: violation
  flow(3, '10.1.0.10', '10.1.0.11', 7000, 2), // isolated zone: violation
  flow(4, '10.2.0.7', '203.0.113.9', 443, 5), // to the outside, no conduit: violation
];

function fixture(layout: Partial<LayoutOptions> = {}): { report: ManagerReport; map: NetworkMap } {
  const compiled = compilePolicy(policy);
  const resolution = resolveDeviceZones(compiled, devices);
  const verdicts = evaluateFlows(compiled, resolution, flows);
  const map = layoutNetworkMap({
    policy,
    devices,
    deviceZones: resolution.devices,
    flows,
    verdicts,
    options: layout,
  });
  const version = {
    version: 3,
    at: '2026-01-02T10:00:00.000Z',
    actor: 'erin',
    reason: '<b>bold</b> & a reason',
    kind: 'edit' as const,
    revertedTo: null,
    changeCount: 1,
  };
  const report = buildManagerReport({
    generatedAt: '2026-01-05T09:00:00.000Z',
    policyVersion: 3,
    policy,
    flows,
    verdicts,
    deviceZones: resolution.devices,
    unknownDevices: [],
    sinceVersion: 2,
    versions: [version],
    changes: [
      {
        version: 3,
        seq: 1,
        entity: 'conduit',
        key: 'office-icu-https',
        operation: 'create',
        before: null,
        after: httpsToIcu,
      },
    ],
  });
  return { report, map };
}

describe('manager report as HTML', () => {
  it('escapes every text: zone names, device labels and change reasons never become markup', () => {
    const html = renderReportHtml({ ...fixture(), title: 'Report <for> "St Mary\'s"' });
    expect(html).not.toMatch(/<script|<img|<b>/i);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; ICU');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;b&gt;bold&lt;/b&gt; &amp; a reason');
    expect(html).toContain('O&#39;Brien &quot;Office&quot;');
    expect(html).toContain('<title>Report &lt;for&gt; &quot;St Mary&#39;s&quot;</title>');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
  });

  it('holds no script and loads nothing: its policy forbids both and it names no resource', () => {
    const html = renderReportHtml(fixture());
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/>`,
    );
    // Text is escaped, so every `<` opens a tag: collect what the markup uses.
    const tags = [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)([^>]*)>/g)];
    const elements = new Set(tags.map((tag) => tag[1]!.toLowerCase()));
    const attributes = new Set(
      tags.flatMap((tag) => [...tag[2]!.matchAll(/([a-zA-Z:-]+)=/g)].map((match) => match[1]!)),
    );
    for (const element of [
      'script',
      'link',
      'img',
      'iframe',
      'object',
      'embed',
      'a',
      'image',
      'use',
    ])
      expect(elements).not.toContain(element);
    expect(
      [...attributes].filter((name) => /^(src|href|xlink:href|action|on.*)$/i.test(name)),
    ).toEqual([]);
    expect(html.replace(/xmlns="http:\/\/www\.w3\.org\/[^"]*"/g, '')).not.toMatch(
      /https?:|@import/,
    );
    // The only url() references are the arrow markers inside the same document.
    expect([...html.matchAll(/url\(([^)]*)\)/g)].map((match) => match[1])).toEqual(
      expect.arrayContaining(['#arrow-violation']),
    );
    expect(html.match(/url\((?!#arrow-)/g)).toBeNull();
  });

  it('contains the counts: verdicts, findings by zone and by criticality, and the changes since the version', () => {
    const html = renderReportHtml(fixture());
    expect(html).toContain('<tr><td>Observed flows</td><td class="number">4</td></tr>');
    expect(html).toContain('<tr><td>Connections</td><td class="number">50</td></tr>');
    expect(html).toContain('<tr><td>Violation flows</td><td class="number">3</td></tr>');
    expect(html).toContain('<tr><td>Allowed flows</td><td class="number">1</td></tr>');
    // icu: flows 1, 2 and 3 touch it; two of them are violations.
    expect(html).toContain(
      '<tr><td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; ICU</td><td>Life-sustaining</td><td class="number">3</td><td class="number">2</td><td class="number">0</td><td class="number">0</td><td class="number">5</td></tr>',
    );
    expect(html).toContain(
      '<tr><td>Life-sustaining</td><td class="number">2</td><td class="number">0</td></tr>',
    );
    expect(html).toContain(
      '<tr><td>Low</td><td class="number">1</td><td class="number">0</td></tr>',
    );
    expect(html).toContain('<h2>Policy changes since version 2</h2>');
    expect(html).toContain(
      '<tr><td class="number">3</td><td>2026-01-02T10:00:00.000Z</td><td>erin</td><td>edit</td><td>&lt;b&gt;bold&lt;/b&gt; &amp; a reason</td><td>+0 ~0 −0</td><td>+1 ~0 −0</td><td>+0 ~0 −0</td></tr>',
    );
    // The matrix: office → icu has one allowed flow; icu → icu two... one violation flow.
    expect(html).toMatch(
      /<td class="worst-allowed" title="[^"]*">1<small>1 allowed<\/small><\/td>/,
    );
    expect(html).toMatch(
      /<td class="worst-violation" title="[^"]*">1<small>1 violation<\/small><\/td>/,
    );
  });

  it('says so when there is nothing to list', () => {
    const empty = buildManagerReport({
      generatedAt: '2026-01-05T09:00:00.000Z',
      policyVersion: 0,
      policy: { zones: [], conduits: [] },
      flows: [],
      verdicts: [],
      deviceZones: [],
      unknownDevices: [],
      sinceVersion: 0,
      versions: [],
      changes: [],
    });
    const html = renderReportHtml({
      report: empty,
      map: { zones: [], nodes: [], edges: [], zoneEdges: [] },
    });
    expect(html).toContain('there is no map to draw');
    expect(html).toContain('No violations and no insecure flows.');
    expect(html).toContain('No policy changes since version 0.');
  });

  it('is the same text for the same data', () => {
    expect(renderReportHtml(fixture())).toBe(renderReportHtml(fixture()));
  });

  it('draws a zone past the cluster threshold as one disc with its count, and scales text for a wide map', () => {
    const clustered = renderReportHtml(fixture({ clusterThreshold: 1 }));
    expect(clustered).toMatch(/<text class="cluster-count"[^>]*>2<\/text>/);
    expect(clustered).not.toContain('&lt;img src=x onerror=alert(1)&gt; (');
    const small = fixture();
    expect(reportMapScale(small.map)).toBe(1);
    const wide = fixture({ zoneGap: 4 * reportMapWidth });
    expect(reportMapScale(wide.map)).toBeGreaterThan(4);
    expect(renderReportHtml(wide)).toMatch(/class="zone-name" [^>]*font-size="(\d+(\.\d)?)"/);
    const size = Number(
      /class="zone-name" [^>]*font-size="([\d.]+)"/.exec(renderReportHtml(wide))![1],
    );
    expect(size).toBeGreaterThan(13 * 4);
  });
});

/** What the page evaluation uses of the browser (this project compiles without DOM types). */
interface PageDocument {
  documentElement: { localName: string };
  getElementsByTagName(name: string): ArrayLike<{ textContent: string | null }>;
  querySelectorAll(selector: string): { length: number };
  querySelector(selector: string): { textContent: string | null } | null;
}

interface PageScope {
  DOMParser: new () => { parseFromString(text: string, type: string): PageDocument };
  document: PageDocument & { scripts: { length: number }; title: string };
}

describe('manager report in a real browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });

  it('parses as well-formed XML and as HTML, runs nothing, requests nothing and draws one dot per node', async () => {
    const { report, map } = fixture();
    const html = renderReportHtml({ report, map });
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    const seen = await page.evaluate((text) => {
      const { DOMParser, document } = globalThis as unknown as PageScope;
      const xml = new DOMParser().parseFromString(text, 'application/xhtml+xml');
      const error = xml.getElementsByTagName('parsererror')[0];
      return {
        xmlError: error ? error.textContent : null,
        xmlRoot: xml.documentElement.localName,
        scripts: document.scripts.length,
        dots: document.querySelectorAll('svg.map > circle').length,
        zones: document.querySelectorAll('svg.map g.zone rect').length,
        lines: document.querySelectorAll('svg.map line').length,
        title: document.title,
        firstZone: document.querySelector('svg.map g.zone title')?.textContent ?? null,
      };
    }, html);
    await page.close();
    expect(seen).toEqual({
      xmlError: null,
      xmlRoot: 'html',
      scripts: 0,
      // Three devices, and a ring for the traffic inside the isolated zone.
      dots: map.nodes.length + 1,
      // icu, office and the outside the flows reach.
      zones: 3,
      // office → icu, icu → office (both ways) and office → outside.
      lines: 3,
      title: 'Network segmentation report',
      firstZone: `${hostileZoneName} (icu): 2 devices`,
    });
    expect(requests).toEqual([]);
  });
});
