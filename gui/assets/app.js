// voxmon web GUI: a small single-page app (hash routes), no framework, no external files.
// Every text from the server goes through textContent (never innerHTML).
"use strict";
(function () {
  const main = document.getElementById("main");
  let me = null;  // {name, role, csrf_token}

  // ---- helpers ----
  const { h, svg } = window.voxmonDom;  // dom.js
  function show(...nodes) { main.replaceChildren(...nodes); }
  function fmt(v, digits) {
    if (v === null || v === undefined) return "";
    if (typeof v === "number" && digits !== undefined) return v.toFixed(digits);
    return String(v);
  }
  function qs(obj) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(obj)) if (v !== "" && v !== null && v !== undefined) p.set(k, v);
    return p.toString();
  }
  async function api(method, path, body) {
    const opts = { method, headers: {}, credentials: "same-origin" };
    if (method !== "GET" && me) opts.headers["X-CSRF-Token"] = me.csrf_token;
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    const res = await fetch(path, opts);
    let data = null;
    try { data = await res.json(); } catch (e) { data = { error: "HTTP " + res.status }; }
    if (res.status === 401 && path !== "/api/login") {
      me = null;
      renderLogin(data.error);
      throw new Error("not logged in");
    }
    return { status: res.status, data, ok: res.ok };
  }
  function errorBox(text) { return h("p", { class: "error", role: "alert", text }); }

  // ---- login ----
  function renderLogin(message) {
    document.getElementById("nav").hidden = true;
    document.getElementById("logout").hidden = true;
    document.getElementById("whoami").textContent = "";
    const name = h("input", { id: "login-name", name: "name", autocomplete: "username", required: true });
    const pass = h("input", { id: "login-password", name: "password", type: "password", autocomplete: "current-password", required: true });
    const msg = h("div", { id: "login-message" }, message && message !== "not logged in (or the session expired): log in again" ? errorBox(message) : null);
    const form = h("form", { id: "login-form", class: "card narrow", onsubmit: async (ev) => {
      ev.preventDefault();
      const r = await api("POST", "/api/login", { name: name.value, password: pass.value });
      if (!r.ok) { msg.replaceChildren(errorBox(r.data.error || "login failed")); return; }
      me = r.data;
      afterLogin();
    } },
      h("h1", { text: "Log in to voxmon" }),
      h("label", {}, "User name", name), h("label", {}, "Password", pass),
      h("button", { type: "submit", id: "login-submit", text: "Log in" }), msg);
    show(form);
    name.focus();
  }
  function afterLogin() {
    document.getElementById("nav").hidden = false;
    document.getElementById("logout").hidden = false;
    document.getElementById("nav-users").hidden = me.role !== "admin";
    document.getElementById("whoami").textContent = me.name + " (" + me.role + ")";
    if (!location.hash || location.hash === "#/login") location.hash = "#/cdrs";
    else route();
  }

  // ---- CDR list ----
  const FILTERS = [
    ["from", "From (UTC)", "2026-01-31 00:00"], ["to", "To (UTC)", "2026-02-01 00:00"],
    ["caller", "Caller", ""], ["called", "Called", ""], ["ip", "IP address", ""], ["sensor", "Sensor id", ""],
    ["response", "SIP response", "486 or 4xx"], ["mos_below", "MOS below", "3.5"], ["loss_above", "Loss above %", "1"],
    ["min_duration", "Min duration s", ""], ["max_duration", "Max duration s", ""], ["callid", "Call-ID", ""],
  ];
  const COLUMNS = [
    ["calldate", "Start (UTC)", "calldate"], ["duration", "Duration s", "duration"], ["caller", "Caller", "caller"],
    ["called", "Called", "called"], ["sipcallerip", "Caller IP"], ["sipcalledip", "Called IP"],
    ["lastSIPresponse", "Response"], ["whohanged", "Hung up"], ["id_sensor", "Sensor"],
    ["mos_min", "MOS min", "mos"], ["loss", "Loss %", "loss"],
  ];
  function hashParams() {
    const i = location.hash.indexOf("?");
    return new URLSearchParams(i < 0 ? "" : location.hash.slice(i + 1));
  }
  async function renderCdrs() {
    const p = hashParams();
    const inputs = {};
    const fields = FILTERS.map(([k, label, ph]) => {
      inputs[k] = h("input", { name: k, id: "f-" + k, placeholder: ph, value: p.get(k) || "" });
      return h("label", {}, label, inputs[k]);
    });
    const match = h("select", { name: "match", id: "f-match" }, ["prefix", "suffix", "contains", "exact"].map((m) => h("option", { value: m, selected: (p.get("match") || "prefix") === m, text: m })));
    const who = h("select", { name: "whohanged", id: "f-whohanged" }, [["", "anyone"], ["caller", "caller"], ["callee", "callee"], ["none", "no BYE"]].map(([v, t]) => h("option", { value: v, selected: (p.get("whohanged") || "") === v, text: t })));
    const perPage = h("select", { name: "per_page", id: "f-per_page" }, ["25", "50", "100", "500"].map((n) => h("option", { value: n, selected: (p.get("per_page") || "50") === n, text: n })));
    function current(extra) {
      const o = {};
      for (const k in inputs) o[k] = inputs[k].value.trim();
      o.match = match.value; o.whohanged = who.value; o.per_page = perPage.value;
      o.sort = p.get("sort") || ""; o.dir = p.get("dir") || "";
      return Object.assign(o, extra || {});
    }
    const form = h("form", { id: "filters", class: "filters", onsubmit: (ev) => { ev.preventDefault(); location.hash = "#/cdrs?" + qs(current({ page: "" })); } },
      fields, h("label", {}, "Number match", match), h("label", {}, "Who hung up", who), h("label", {}, "Rows per page", perPage),
      h("div", { class: "buttons" }, h("button", { type: "submit", id: "search", text: "Search" }),
        h("button", { type: "button", text: "Clear", onclick: () => { location.hash = "#/cdrs"; } })));
    const status = h("div", { id: "list-status", class: "status" }, "Loading...");
    const table = h("table", { id: "cdr-table", class: "grid" });
    show(h("h1", { text: "Calls" }), form, status, table);
    const query = {};
    for (const [k, v] of p.entries()) query[k] = v;
    const r = await api("GET", "/api/cdrs?" + qs(query));
    if (!r.ok) { status.replaceChildren(errorBox(r.data.error)); return; }
    const d = r.data;
    const page = d.page, pages = Math.max(1, Math.ceil(d.total / d.per_page));
    const csv = h("a", { href: "/api/cdrs.csv?" + qs(Object.assign({}, query, { page: "", per_page: "" })), id: "csv-link", download: "voxmon-cdrs.csv", text: "Export CSV" });
    const nav = (to) => { location.hash = "#/cdrs?" + qs(Object.assign({}, query, { page: String(to) })); };
    status.replaceChildren(
      h("span", { id: "list-total", text: (d.total_capped ? "more than " : "") + d.total + " calls" }),
      " from " + d.from + " to " + d.to + (d.range_capped ? " (range cut to 366 days)" : "") + " ",
      h("button", { type: "button", id: "prev-page", disabled: page <= 1, onclick: () => nav(page - 1), text: "Previous" }),
      h("span", { id: "page-info", text: " page " + page + (d.total_capped ? "" : " of " + pages) + " " }),
      h("button", { type: "button", id: "next-page", disabled: d.rows.length < d.per_page, onclick: () => nav(page + 1), text: "Next" }),
      " ", csv);
    const sort = query.sort || "calldate", dir = query.dir || "desc";
    const head = h("tr", {}, COLUMNS.map(([key, label, sortKey]) => {
      if (!sortKey) return h("th", { text: label });
      const active = sort === sortKey;
      return h("th", { class: "sortable" + (active ? " active" : ""), "data-sort": sortKey, onclick: () => {
        location.hash = "#/cdrs?" + qs(Object.assign({}, query, { sort: sortKey, dir: active && dir === "desc" ? "asc" : "desc", page: "" }));
      } }, label + (active ? (dir === "desc" ? " \u25BC" : " \u25B2") : ""));
    }));
    const rows = d.rows.map((row) => {
      const loss = row.a_loss_perc === null && row.b_loss_perc === null ? null : Math.max(row.a_loss_perc || 0, row.b_loss_perc || 0);
      const vals = { ...row, loss: loss === null ? "" : loss.toFixed(3), mos_min: fmt(row.mos_min, 1),
        lastSIPresponse: row.lastSIPresponseNum ? row.lastSIPresponse || row.lastSIPresponseNum : "none" };
      return h("tr", { class: "clickable", "data-id": row.id, onclick: () => { location.hash = "#/cdr/" + row.id; } },
        COLUMNS.map(([key]) => h("td", { class: key === "mos_min" && row.mos_min !== null && row.mos_min < 3.6 ? "bad" : null, text: fmt(vals[key]) })));
    });
    table.replaceChildren(h("thead", {}, head), h("tbody", {}, rows));
  }

  // ---- call detail ----
  function fieldValue(name, v) {
    const d = window.describeField(name);
    if (v === null || v === undefined) return { text: "", d };
    if (typeof v === "number" && d.scale !== 1) return { text: (v / d.scale) + (d.unit ? " " + d.unit : "") + "  (" + name + " = " + v + ")", d };
    return { text: String(v) + (d.unit && typeof v === "number" ? " " + d.unit : ""), d };
  }
  function ladderSvg(l, onPick) {
    const colW = 220, top = 40, rowH = 34, left = 20;
    const width = left * 2 + Math.max(1, l.hosts.length) * colW;
    const height = top + l.messages.length * rowH + 20;
    const x = (i) => left + colW / 2 + i * colW;
    const root = svg("svg", { id: "ladder", width, height, viewBox: "0 0 " + width + " " + height, class: "ladder" });
    root.append(svg("defs", {}, svg("marker", { id: "arrow", markerWidth: "10", markerHeight: "8", refX: "9", refY: "4", orient: "auto" }, svg("path", { d: "M0,0 L10,4 L0,8 z", class: "arrowhead" }))));
    l.hosts.forEach((host, i) => {
      root.append(svg("text", { x: x(i), y: 20, class: "host", "text-anchor": "middle", text: host }));
      root.append(svg("line", { x1: x(i), y1: 28, x2: x(i), y2: height - 10, class: "lifeline" }));
    });
    l.messages.forEach((m, n) => {
      const y = top + n * rowH + 18;
      const same = m.from === m.to;
      const x1 = x(m.from), x2 = same ? x(m.from) + 60 : x(m.to);
      const g = svg("g", { class: "msg " + (m.request ? "request" : "response") + (/^[456]/.test(m.label) ? " failure" : ""), "data-index": n, tabindex: "0" });
      g.append(svg("title", { text: m.time + "  " + m.src + " -> " + m.dst + "  " + m.transport }));
      g.append(svg("rect", { class: "hit", x: 0, y: y - rowH + 10, width, height: rowH }));  // the whole row takes the click
      g.append(svg("line", { x1, y1: y, x2, y2: y, "marker-end": "url(#arrow)" }));
      g.append(svg("text", { x: (x1 + x2) / 2, y: y - 5, "text-anchor": "middle", text: m.label }));
      g.append(svg("text", { x: 4, y: y - 5, class: "reltime", text: "+" + m.rel.toFixed(3) }));
      g.addEventListener("click", () => onPick(n));
      g.addEventListener("keydown", (ev) => { if (ev.key === "Enter") onPick(n); });
      root.append(g);
    });
    return root;
  }
  async function renderCdr(id) {
    show(h("p", { text: "Loading call " + id + "..." }));
    const r = await api("GET", "/api/cdr/" + encodeURIComponent(id));
    if (!r.ok) { show(h("h1", { text: "Call " + id }), errorBox(r.data.error)); return; }
    const d = r.data, c = d.cdr;
    const downloads = h("div", { class: "buttons", id: "downloads" },
      d.pcap.error ? [h("span", { class: "muted", id: "pcap-error", text: d.pcap.error })] : ["sip", "rtp", "merged"].map((part) => {
        const has = part === "merged" ? d.pcap.sip || d.pcap.rtp : d.pcap[part];
        const where = d.pcap.sensor ? "on sensor " + d.pcap.sensor : "in the spool";
        return has ? h("a", { class: "button", id: "download-" + part, href: "/api/cdr/" + d.id + "/pcap?part=" + part, download: "", text: "Download " + part.toUpperCase() + " pcap" })
          : h("span", { class: "muted", text: "no " + part.toUpperCase() + " pcap " + where });
      }));
    const fieldRows = Object.keys(c).map((name) => {
      const { text, d: desc } = fieldValue(name, c[name]);
      return h("tr", { title: desc.meaning || name, "data-field": name }, h("th", { text: name }), h("td", { text }), h("td", { class: "meaning", text: desc.meaning }));
    });
    const streamCols = ["saddr", "sport", "daddr", "dport", "ssrc", "codec", "payload", "received", "loss", "packet_loss_perc_mult1000", "avgjitter_mult10", "maxjitter_mult10", "mos_f1_mult10", "mos_adapt_mult10", "mos_min_mult10", "rtp_ptime"];
    const streamHead = ["From", "Port", "To", "Port", "SSRC", "Codec", "PT", "Received", "Lost", "Loss %", "Jitter avg ms", "Jitter max ms", "MOS F1", "MOS adapt", "MOS min", "ptime ms"];
    const scale = { packet_loss_perc_mult1000: 1000, avgjitter_mult10: 10, maxjitter_mult10: 10, mos_f1_mult10: 10, mos_adapt_mult10: 10, mos_min_mult10: 10 };
    const streams = h("table", { id: "streams", class: "grid" }, h("thead", {}, h("tr", {}, streamHead.map((t) => h("th", { text: t })))),
      h("tbody", {}, d.rtp.map((s) => h("tr", {}, streamCols.map((k) => h("td", { text: s[k] === null || s[k] === undefined ? "" : scale[k] ? String(s[k] / scale[k]) : String(s[k]) }))))));
    const dtmf = d.dtmf.length ? h("table", { id: "dtmf", class: "grid" }, h("thead", {}, h("tr", {}, ["Digit", "Time s", "Duration ms", "Type", "Sender"].map((t) => h("th", { text: t })))),
      h("tbody", {}, d.dtmf.map((x) => h("tr", {}, [x.digit, fmt(x.time), fmt(x.duration), fmt(x.type), fmt(x.sender)].map((t) => h("td", { text: t }))))))
      : h("p", { id: "dtmf", class: "muted", text: "No DTMF." });
    const ladderBox = h("div", { id: "ladder-box" }, h("p", { text: "Loading the SIP ladder..." }));
    const msgText = h("pre", { id: "sip-text", class: "siptext" });
    show(h("h1", { text: "Call " + d.id + ": " + (c.caller || "?") + " \u2192 " + (c.called || "?") }),
      h("p", { class: "summary" }, c.calldate + " UTC, " + c.duration + " s, " + (c.lastSIPresponseNum ? c.lastSIPresponse || String(c.lastSIPresponseNum) : "no response") + (c.fbasename ? ", Call-ID file " + c.fbasename : "")),
      downloads,
      h("h2", { text: "SIP ladder" }), ladderBox, msgText,
      h("h2", { text: "RTP streams" }), d.rtp.length ? streams : h("p", { class: "muted", text: "No RTP streams." }),
      window.voxmonQualityCharts(d.id),  // charts.js: MOS, loss, jitter per 10 s per stream
      window.voxmonAudioSection(d.id),  // audio.js: a player per G.711 stream of the RTP pcap
      h("h2", { text: "DTMF" }), dtmf,
      h("h2", { text: "All fields (hover for the meaning)" }), h("table", { id: "fields", class: "grid fields" }, h("tbody", {}, fieldRows)));
    const lr = await api("GET", "/api/cdr/" + d.id + "/ladder");
    if (!lr.ok) { ladderBox.replaceChildren(errorBox(lr.data.error)); return; }
    const pick = (n) => {
      const m = lr.data.messages[n];
      msgText.textContent = m.time + " UTC  " + m.src + " -> " + m.dst + " (" + m.transport + ")\n\n" + m.text;
      for (const g of ladderBox.querySelectorAll("g.msg")) g.classList.toggle("picked", g.getAttribute("data-index") === String(n));
    };
    ladderBox.replaceChildren(h("p", { class: "muted", id: "ladder-count", text: lr.data.messages.length + " SIP messages" + (lr.data.truncated ? " (cut)" : "") + "; click one for its text" }), ladderSvg(lr.data, pick));
  }

  // ---- dashboard ----
  function bars(items, valueKey, labelKey, id) {
    const w = 640, hgt = 160, max = Math.max(1, ...items.map((i) => i[valueKey]));
    const bw = items.length ? w / items.length : w;
    const root = svg("svg", { id, class: "chart", width: w, height: hgt + 30, viewBox: "0 0 " + w + " " + (hgt + 30) });
    items.forEach((it, i) => {
      const bh = (it[valueKey] / max) * hgt;
      const r = svg("rect", { x: i * bw + 1, y: hgt - bh, width: Math.max(1, bw - 2), height: bh });
      r.append(svg("title", { text: it[labelKey] + ": " + it[valueKey] }));
      root.append(r);
      if (items.length <= 12 || i % Math.ceil(items.length / 8) === 0)
        root.append(svg("text", { x: i * bw + bw / 2, y: hgt + 16, "text-anchor": "middle", class: "axis", text: String(it[labelKey]).slice(-8) }));
    });
    root.append(svg("text", { x: 4, y: 12, class: "axis", text: "max " + max }));
    return root;
  }
  function worstTable(rows, id, keyLabel) {
    return h("table", { id, class: "grid" }, h("thead", {}, h("tr", {}, [keyLabel, "Calls", "MOS avg", "Loss % avg"].map((t) => h("th", { text: t })))),
      h("tbody", {}, rows.map((r) => h("tr", {}, [fmt(r.key), fmt(r.calls), fmt(r.mos_avg, 2), fmt(r.loss_avg, 3)].map((t) => h("td", { text: t }))))));
  }
  async function renderDashboard() {
    const p = hashParams();
    const from = h("input", { id: "d-from", value: p.get("from") || "", placeholder: "default: last 366 days" });
    const to = h("input", { id: "d-to", value: p.get("to") || "", placeholder: "default: now" });
    const form = h("form", { class: "filters", onsubmit: (ev) => { ev.preventDefault(); location.hash = "#/dashboard?" + qs({ from: from.value.trim(), to: to.value.trim() }); } },
      h("label", {}, "From (UTC)", from), h("label", {}, "To (UTC)", to), h("div", { class: "buttons" }, h("button", { type: "submit", text: "Show" })));
    const box = h("div", {}, "Loading...");
    show(h("h1", { text: "Dashboard" }), form, box);
    const r = await api("GET", "/api/dashboard?" + qs({ from: p.get("from") || "", to: p.get("to") || "" }));
    if (!r.ok) { box.replaceChildren(errorBox(r.data.error)); return; }
    const d = r.data, s = d.summary;
    const tile = (label, value, id) => h("div", { class: "tile", id }, h("div", { class: "value", text: value }), h("div", { class: "label", text: label }));
    box.replaceChildren(
      h("p", { class: "muted", text: d.from + " to " + d.to + " UTC" + (d.range_capped ? " (cut to 366 days)" : "") }),
      h("div", { class: "tiles" }, tile("calls", fmt(s.calls), "t-calls"), tile("answered", fmt(s.answered), "t-answered"),
        tile("ASR %", fmt(s.asr, 1), "t-asr"), tile("ACD s", fmt(s.acd, 1), "t-acd"), tile("MOS avg", fmt(s.mos_avg, 2), "t-mos"), tile("loss % avg", fmt(s.loss_avg, 3), "t-loss")),
      h("h2", { text: "Calls per " + (d.bucket_seconds === 60 ? "minute" : d.bucket_seconds / 60 + " minutes") }), bars(d.per_bucket, "calls", "t", "chart-calls"),
      h("h2", { text: "MOS distribution (lowest interval MOS per call; " + d.no_mos + " calls without RTP)" }), bars(d.mos_distribution, "calls", "mos", "chart-mos"),
      h("div", { class: "columns" },
        h("div", {}, h("h2", { text: "Worst destinations by MOS" }), worstTable(d.worst_destinations_by_mos, "worst-dest-mos", "Called IP")),
        h("div", {}, h("h2", { text: "Worst destinations by loss" }), worstTable(d.worst_destinations_by_loss, "worst-dest-loss", "Called IP")),
        h("div", {}, h("h2", { text: "Worst sensors by MOS" }), worstTable(d.worst_sensors_by_mos, "worst-sensor-mos", "Sensor")),
        h("div", {}, h("h2", { text: "Worst sensors by loss" }), worstTable(d.worst_sensors_by_loss, "worst-sensor-loss", "Sensor"))));
  }

  // ---- sensors ----
  async function renderSensors() {
    const r = await api("GET", "/api/sensors");
    if (!r.ok) { show(h("h1", { text: "Sensors" }), errorBox(r.data.error)); return; }
    const t = (ms) => (ms ? new Date(ms).toISOString().replace("T", " ").slice(0, 19) : "");
    show(h("h1", { text: "Sensors" }),
      r.data.note ? h("p", { class: "muted", id: "sensors-note", text: r.data.note }) : null,
      h("table", { id: "sensors", class: "grid" }, h("thead", {}, h("tr", {}, ["Id", "Name", "Address", "Version", "State", "Joined (UTC)", "Last heard (UTC)", "CDRs", "CDRs/s"].map((x) => h("th", { text: x })))),
        h("tbody", {}, r.data.sensors.map((s) => h("tr", { class: s.up ? "" : "down" }, [s.id, s.name, s.address, s.version, s.up ? "up" : "down", t(s.joined_ms), t(s.last_heard_ms), s.cdrs, fmt(s.cdr_rate, 2)].map((x) => h("td", { text: fmt(x) })))))));
  }

  // ---- users (admin) ----
  async function renderUsers() {
    if (me.role !== "admin") { show(h("h1", { text: "Users" }), errorBox("this page needs the admin role")); return; }
    const r = await api("GET", "/api/users");
    if (!r.ok) { show(h("h1", { text: "Users" }), errorBox(r.data.error)); return; }
    const msg = h("div", { id: "users-message" });
    const name = h("input", { id: "u-name", required: true, autocomplete: "off" });
    const pass = h("input", { id: "u-password", type: "password", required: true, autocomplete: "new-password" });
    const role = h("select", { id: "u-role" }, h("option", { value: "viewer", text: "viewer" }), h("option", { value: "admin", text: "admin" }));
    const form = h("form", { class: "filters", id: "user-form", onsubmit: async (ev) => {
      ev.preventDefault();
      const res = await api("POST", "/api/users", { name: name.value, password: pass.value, role: role.value });
      if (!res.ok) { msg.replaceChildren(errorBox(res.data.error)); return; }
      renderUsers();
    } }, h("label", {}, "Name", name), h("label", {}, "Password", pass), h("label", {}, "Role", role), h("div", { class: "buttons" }, h("button", { type: "submit", text: "Add user" })));
    const rows = r.data.users.map((u) => h("tr", { "data-user": u.name }, h("td", { text: u.name }), h("td", { text: u.role }), h("td", { text: u.created }),
      h("td", {}, h("button", { type: "button", class: "danger", text: "Delete", onclick: async () => {
        if (!confirm("Delete user " + u.name + "?")) return;
        const res = await api("DELETE", "/api/users/" + encodeURIComponent(u.name));
        if (!res.ok) { msg.replaceChildren(errorBox(res.data.error)); return; }
        renderUsers();
      } }))));
    show(h("h1", { text: "Users" }), h("table", { id: "users", class: "grid" }, h("thead", {}, h("tr", {}, ["Name", "Role", "Created (UTC)", ""].map((x) => h("th", { text: x })))), h("tbody", {}, rows)),
      h("h2", { text: "Add a user" }), form, msg);
  }

  // ---- routing ----
  function route() {
    if (!me) return;
    const path = location.hash.replace(/^#/, "").split("?")[0] || "/cdrs";
    for (const a of document.querySelectorAll("#nav a")) a.classList.toggle("active", path.startsWith("/" + a.dataset.page));
    const m = /^\/cdr\/(\d+)$/.exec(path);
    const run = m ? renderCdr(m[1]) : path === "/dashboard" ? renderDashboard() : path === "/sensors" ? renderSensors()
      : path === "/users" ? renderUsers() : renderCdrs();
    run.catch((e) => { if (e.message !== "not logged in") show(errorBox("Error: " + e.message)); });
  }
  window.addEventListener("hashchange", route);
  document.getElementById("logout").addEventListener("click", async () => {
    try { await api("POST", "/api/logout"); } catch (e) { /* already out */ }
    me = null;
    location.hash = "#/login";
    renderLogin();
  });
  (async function start() {
    try {
      const r = await api("GET", "/api/me");
      if (r.ok) { me = r.data; afterLogin(); }
    } catch (e) { /* renderLogin already shown */ }
  })();
})();
