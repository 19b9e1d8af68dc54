import { TimeseriesResponse } from '@smart-regency/contracts';

/** Text for SVG content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const WIDTH = 900;
const HEIGHT = 460;
const M = { left: 80, right: 30, top: 70, bottom: 100 };
const PLOT_W = WIDTH - M.left - M.right;
const PLOT_H = HEIGHT - M.top - M.bottom;
const COLOR = '#1f6fb2';
// Above this many points bars get thinner than a few pixels: draw a line instead.
const MAX_BARS = 62;

/** 1, 2, 2.5 or 5 × 10^n: a step that gives about `ticks` gridlines up to `max`. */
function niceStep(max: number, ticks = 5): number {
  const raw = max / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  return step;
}

const fmt = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 2 }));

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * A readable chart of one time series, with no DOM: bars (or a line for long series), a y axis
 * with gridlines and values, period labels on the x axis, axis titles, a title and a legend.
 */
export function timeseriesSvg(r: TimeseriesResponse, options: { agencyLabel?: string } = {}): string {
  const values = r.points.map((p) => p.value);
  const isPct = r.metric.endsWith('Pct');
  const max = Math.max(0, ...values.filter((v): v is number => v !== null));
  // Counts get whole-number gridlines; percentages run 0–100.
  const fractional = isPct || r.metric.endsWith('averageRating');
  let step = isPct ? 20 : niceStep(max <= 0 ? 1 : max);
  if (!fractional) step = Math.max(1, step);
  const top = isPct ? 100 : Math.max(step, Math.ceil(max / step) * step);
  const y = (v: number) => round(M.top + PLOT_H - (v / top) * PLOT_H);
  const n = Math.max(1, r.points.length);
  const slot = PLOT_W / n;
  const x = (i: number) => round(M.left + slot * i + slot / 2);
  const title = `${r.metric} per ${r.interval}, ${r.from} to ${r.to}${options.agencyLabel ? ` (${options.agencyLabel})` : r.agencyId ? ` (agency ${r.agencyId})` : ' (all agencies)'}`;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="chart-title chart-desc" font-family="sans-serif" font-size="12">`,
    `<title id="chart-title">${escapeXml(title)}</title>`,
    `<desc id="chart-desc">${escapeXml(`${r.points.length} ${r.interval}s; Asia/Jakarta days${r.asOf ? `; as of event ${r.asOf.eventId} at ${r.asOf.eventTime}` : ''}`)}</desc>`,
    `<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="28" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
  );
  // Y axis: gridlines and values.
  parts.push('<g class="y-axis">');
  for (let v = 0; v <= top + 1e-9; v += step) {
    const yy = y(v);
    parts.push(
      `<line x1="${M.left}" y1="${yy}" x2="${WIDTH - M.right}" y2="${yy}" stroke="#dddddd"/>`,
      `<text x="${M.left - 8}" y="${yy + 4}" text-anchor="end">${escapeXml(fmt(round(v)))}</text>`,
    );
  }
  parts.push(
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${M.top + PLOT_H}" stroke="#333333"/>`,
    `<text transform="translate(20 ${M.top + PLOT_H / 2}) rotate(-90)" text-anchor="middle">${escapeXml(isPct ? `${r.metric} (%)` : r.metric)}</text>`,
    '</g>',
  );
  // X axis: a label for at most about 15 periods, always the latest.
  const every = Math.max(1, Math.ceil(n / 15));
  parts.push('<g class="x-axis">', `<line x1="${M.left}" y1="${M.top + PLOT_H}" x2="${WIDTH - M.right}" y2="${M.top + PLOT_H}" stroke="#333333"/>`);
  r.points.forEach((p, i) => {
    if ((r.points.length - 1 - i) % every !== 0) return;
    const xx = x(i);
    parts.push(
      `<line x1="${xx}" y1="${M.top + PLOT_H}" x2="${xx}" y2="${M.top + PLOT_H + 5}" stroke="#333333"/>`,
      `<text transform="translate(${xx} ${M.top + PLOT_H + 16}) rotate(-40)" text-anchor="end">${escapeXml(r.interval === 'month' ? p.period.slice(0, 7) : p.period)}</text>`,
    );
  });
  parts.push(`<text x="${M.left + PLOT_W / 2}" y="${HEIGHT - 12}" text-anchor="middle">${escapeXml(`${r.interval === 'week' ? 'week starting' : r.interval} (Asia/Jakarta)`)}</text>`, '</g>');
  // The data.
  parts.push('<g class="series">');
  if (r.points.length <= MAX_BARS) {
    const w = round(Math.max(1, slot * 0.7));
    r.points.forEach((p, i) => {
      if (p.value === null) return;
      parts.push(
        `<rect x="${round(x(i) - w / 2)}" y="${y(p.value)}" width="${w}" height="${round(M.top + PLOT_H - y(p.value))}" fill="${COLOR}"><title>${escapeXml(`${p.period}: ${fmt(p.value)}`)}</title></rect>`,
      );
    });
  } else {
    // Nulls break the line rather than drawing through zero.
    let run: string[] = [];
    const flush = () => {
      if (run.length) parts.push(`<polyline fill="none" stroke="${COLOR}" stroke-width="2" points="${run.join(' ')}"/>`);
      run = [];
    };
    r.points.forEach((p, i) => (p.value === null ? flush() : run.push(`${x(i)},${y(p.value)}`)));
    flush();
  }
  parts.push('</g>');
  // Legend.
  const lx = WIDTH - M.right - 220;
  parts.push(
    `<g class="legend" transform="translate(${lx} 44)">`,
    `<rect x="0" y="0" width="14" height="14" fill="${COLOR}"/>`,
    `<text x="20" y="11">${escapeXml(r.metric)}</text>`,
    '</g>',
    '</svg>',
  );
  return parts.join('\n');
}
