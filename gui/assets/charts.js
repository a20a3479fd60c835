// The call page's "Quality per 10 s" section: MOS, loss and jitter of every RTP stream per
// 10-second interval (GET /api/cdr/ID/intervals: the series the call actor stored with the CDR,
// so no pcap is needed). window.voxmonQualityCharts(callId) returns the section's element and
// fills it when the series arrive. Every server text goes through textContent.
"use strict";
(function () {
  const { h: el, svg, getJson } = window.voxmonDom;  // dom.js

  // The three charts: the value of an interval, the y range, the unit.
  const METRICS = [
    { id: "chart-mos", title: "MOS (50 ms fixed buffer)", value: (i) => i.mos_f1, min: 1, max: 4.5, digits: 2 },
    { id: "chart-loss", title: "Loss %", value: (i) => (i.expected ? (100 * i.lost) / i.expected : 0), min: 0, max: null, digits: 2 },
    { id: "chart-jitter", title: "Jitter ms (RFC 3550, at the interval's end)", value: (i) => i.jitter, min: 0, max: null, digits: 1 },
  ];

  function label(s) {
    return s.saddr + ":" + s.sport + " \u2192 " + s.daddr + ":" + s.dport + (s.codec ? " (" + s.codec + ")" : "");
  }

  // One chart: x = seconds from the call's start (the stream's first packet + 10 s per interval).
  function chart(metric, streams, span) {
    const w = 640, hgt = 150, left = 44, bottom = 22, top = 8;
    let max = metric.max;
    if (max === null) {
      max = 0;
      for (const s of streams) for (const i of s.intervals) max = Math.max(max, metric.value(i));
      max = max > 0 ? max * 1.1 : 1;
    }
    const x = (t) => left + (t / span) * (w - left - 8);
    const y = (v) => top + (1 - (Math.min(Math.max(v, metric.min), max) - metric.min) / (max - metric.min)) * hgt;
    const root = svg("svg", { id: metric.id, class: "chart series-chart", width: w, height: hgt + top + bottom, viewBox: "0 0 " + w + " " + (hgt + top + bottom) });
    root.append(svg("text", { x: 4, y: top + 8, class: "axis", text: max.toFixed(metric.digits) }));
    root.append(svg("text", { x: 4, y: top + hgt, class: "axis", text: metric.min.toFixed(metric.digits) }));
    root.append(svg("line", { x1: left, y1: top + hgt, x2: w - 8, y2: top + hgt, class: "gridline" }));
    for (let t = 0; t <= span; t += Math.max(10, Math.ceil(span / 60) * 10)) {
      root.append(svg("text", { x: x(t), y: top + hgt + 16, "text-anchor": "middle", class: "axis", text: t + " s" }));
    }
    streams.forEach((s, k) => {
      const pts = s.intervals.map((i) => [s.offset + i.t * 10 + 5, metric.value(i), i]);
      const g = svg("g", { class: "series s" + (k % 6), "data-stream": String(s.index), "data-points": String(pts.length) });
      g.append(svg("polyline", { points: pts.map(([t, v]) => x(t).toFixed(1) + "," + y(v).toFixed(1)).join(" ") }));
      for (const [t, v, i] of pts) {
        const c = svg("circle", { cx: x(t).toFixed(1), cy: y(v).toFixed(1), r: 3 });
        c.append(svg("title", { text: label(s) + "\n" + (s.offset + i.t * 10).toFixed(0) + "-" + (s.offset + i.t * 10 + 10).toFixed(0) + " s: " + metric.title + " " + v.toFixed(metric.digits) +
          "\nframes " + i.expected + ", lost " + i.lost + ", MOS F1 " + i.mos_f1 + ", adaptive " + i.mos_adapt + ", jitter " + i.jitter + " ms" }));
        g.append(c);
      }
      root.append(g);
    });
    return el("figure", {}, el("figcaption", { text: metric.title }), root);
  }

  async function fill(box, callId) {
    const { ok, status, data } = await getJson("/api/cdr/" + encodeURIComponent(callId) + "/intervals", "the quality series");
    if (!ok) {
      box.replaceChildren(el("p", { class: "muted", id: "charts-error", text: data.error || "HTTP " + status }));
      return;
    }
    const streams = data.streams.filter((s) => Array.isArray(s.intervals) && s.intervals.length);
    if (!streams.length) {
      const old = data.streams.some((s) => s.intervals === null);
      box.replaceChildren(el("p", { class: "muted", id: "charts-none", text: old ? "This call was stored before voxmon kept per-10-second figures." : "No RTP stream with packets." }));
      return;
    }
    let span = 10;
    for (const s of streams) {
      s.offset = Number(s.firsttime) || 0;
      const last = s.intervals[s.intervals.length - 1];
      span = Math.max(span, s.offset + last.t * 10 + 10);
    }
    const legend = el("ul", { class: "legend", id: "charts-legend" }, ...streams.map((s, k) => el("li", { class: "s" + (k % 6), text: label(s) })));
    box.replaceChildren(legend, ...METRICS.map((m) => chart(m, streams, span)));
  }

  window.voxmonQualityCharts = function (callId) {
    const box = el("div", { id: "charts-box" }, el("p", { text: "Loading the quality series..." }));
    fill(box, callId);
    return el("section", { id: "charts" }, el("h2", { text: "Quality per 10 s" }), box);
  };
})();
