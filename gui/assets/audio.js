// The call page's "Audio" section: the RTP streams of the call's saved RTP pcap
// (GET /api/cdr/ID/audio) with an <audio> player for each G.711 stream (GET .../audio/N.wav).
// window.voxmonAudioSection(callId) returns the section's element and fills it when the list
// arrives. Every server text goes through textContent.
"use strict";
(function () {
  const { h: el, getJson } = window.voxmonDom;  // dom.js

  function streamRow(s) {
    const player = s.playable
      ? el("audio", { controls: "", preload: "none", src: s.wav, "data-stream": String(s.index) })
      : el("span", { class: "muted", text: s.reason });
    const cells = [String(s.index), s.src, s.dst, s.ssrc, s.codec, String(s.packets)].map((t) => el("td", { text: t }));
    return el("tr", {}, ...cells, el("td", {}, player));
  }

  async function fill(box, callId) {
    const { ok, status, data } = await getJson("/api/cdr/" + encodeURIComponent(callId) + "/audio", "the audio streams");
    if (!ok) {
      box.replaceChildren(el("p", { class: "muted", id: "audio-error", text: data.error || "HTTP " + status }));
      return;
    }
    if (!data.streams.length) {
      box.replaceChildren(el("p", { class: "muted", text: "The RTP pcap holds no RTP stream." }));
      return;
    }
    const head = ["#", "From", "To", "SSRC", "Codec", "Packets", "Listen"].map((t) => el("th", { text: t }));
    box.replaceChildren(
      el("table", { id: "audio-streams", class: "grid" }, el("thead", {}, el("tr", {}, ...head)),
        el("tbody", {}, ...data.streams.map(streamRow))),
      el("p", { class: "muted", text: "G.711 (PCMU, PCMA) only, decoded on the server: lost packets and gaps are silence, at most 4 hours per stream." }));
  }

  window.voxmonAudioSection = function (callId) {
    const box = el("div", { id: "audio-box" }, el("p", { text: "Loading the audio streams..." }));
    fill(box, callId);
    return el("section", { id: "audio" }, el("h2", { text: "Audio" }), box);
  };
})();
