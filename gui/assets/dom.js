// Helpers shared by the GUI's scripts (app.js, charts.js, audio.js): h() for HTML and svg() for
// SVG elements, getJson() for the API's GET requests. Attributes: "text" sets textContent (never innerHTML), on* adds an
// event listener, null/undefined/false skip the attribute; children may be nested arrays.
"use strict";
(function () {
  function h(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else if (k === "text") e.textContent = v;
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
    return e;
  }
  function svg(tag, attrs, ...children) {
    const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else if (k === "text") e.textContent = v;
      else e.setAttribute(k, String(v));
    }
    for (const c of children.flat()) if (c) e.append(c);
    return e;
  }
  // GET a JSON resource of the API: {ok, status, data}; a network failure or a body that is not
  // JSON gives ok false and data.error saying so.
  async function getJson(path, what) {
    let res = null;
    try {
      res = await fetch(path, { credentials: "same-origin" });
      return { ok: res.ok, status: res.status, data: await res.json() };
    } catch (e) {
      return { ok: false, status: res ? res.status : 0, data: { error: "cannot load " + what + (res ? ": HTTP " + res.status : "") } };
    }
  }
  window.voxmonDom = { h, svg, getJson };
})();
