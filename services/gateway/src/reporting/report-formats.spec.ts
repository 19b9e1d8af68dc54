import { TimeseriesResponse } from '@smart-regency/contracts';
import { parse } from 'csv-parse/sync';
import { XMLValidator } from 'fast-xml-parser';
import { csv, flatten, negotiateReport } from './report-formats';
import { escapeXml, timeseriesSvg } from './svg-chart';

describe('report formats', () => {
  it('picks the format by Accept, JSON by default, and refuses what is not offered', () => {
    expect(negotiateReport(undefined, ['json', 'csv'])).toBe('json');
    expect(negotiateReport('text/csv', ['json', 'csv'])).toBe('csv');
    expect(negotiateReport('text/csv;q=0.5, image/svg+xml', ['json', 'csv', 'svg'])).toBe('svg');
    expect(negotiateReport('*/*', ['json', 'csv'])).toBe('json');
    expect(() => negotiateReport('application/xml', ['json', 'csv'])).toThrow(expect.objectContaining({ code: 'REPORTING.NOT_ACCEPTABLE' }));
  });

  it('writes RFC 4180 CSV: header row, CRLF, quoted commas, quotes and line breaks', () => {
    const text = csv(['name', 'value'], [['a, "b"', 1], ['line\nbreak', null]]);
    expect(text).toBe('name,value\r\n"a, ""b""",1\r\n"line\nbreak",\r\n');
    expect(parse(text)).toEqual([['name', 'value'], ['a, "b"', '1'], ['line\nbreak', '']]);
    expect(flatten({ a: { b: 1, c: { d: null } } })).toEqual([['a.b', 1], ['a.c.d', null]]);
  });

  it('draws a well-formed chart and escapes its text', () => {
    expect(escapeXml(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;');
    const series: TimeseriesResponse = {
      metric: 'complaints.slaCompliancePct',
      interval: 'month',
      from: '2026-01-01',
      to: '2026-03-31',
      agencyId: null,
      asOf: null,
      points: [
        { period: '2026-01-01', value: 50 },
        { period: '2026-02-01', value: null },
        { period: '2026-03-01', value: 87.5 },
      ],
    };
    const svg = timeseriesSvg(series, { agencyLabel: 'Dinas <PU> & "Tata" Ruang' });
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain('Dinas &lt;PU&gt; &amp; &quot;Tata&quot; Ruang');
    expect(svg.match(/<rect [^>]*fill="#1f6fb2"><title>/g)).toHaveLength(2); // no bar for the empty month
    expect(svg).toContain('>100</text>');
  });
});
