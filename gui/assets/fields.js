// Meanings of the CDR columns (from docs/CDR.md), shown on hover in the call detail.
// describeField(column) -> {meaning, scale, unit}: value / scale is in `unit`.
"use strict";
(function () {
  const F = {
    ID: ["Row id of the call in the store (cdr.ID)."],
    calldate: ["Time of the first packet of the call (UTC)."],
    callend: ["Time of the last packet of the call, SIP or RTP (UTC)."],
    duration: ["callend - calldate.", 1, "s"],
    connect_duration: ["From the first 2xx response to the INVITE until callend; empty when never answered.", 1, "s"],
    progress_time: ["From calldate to the first 18x response (or the first 2xx when there was no 18x).", 1, "s"],
    first_rtp_time: ["From calldate to the first RTP packet of the call.", 1, "s"],
    caller: ["User part of the From URI of the first INVITE."],
    callername: ["Display name of the From header."],
    caller_domain: ["Host part of the From URI."],
    called: ["User part of the To URI of the first INVITE."],
    called_domain: ["Host part of the To URI."],
    sipcallerip: ["Source address of the first INVITE."],
    sipcallerport: ["Source port of the first INVITE."],
    sipcalledip: ["Destination address of the last INVITE (where the call went, after redirects and forks)."],
    sipcalledport: ["Destination port of the last INVITE."],
    lastSIPresponseNum: ["Final response of the last initial INVITE transaction (else the last provisional one; 0 = none)."],
    lastSIPresponse: ["The same response as text, e.g. 200 OK."],
    lastSIPresponse_id: ["Lookup id of lastSIPresponse in cdr_sip_response."],
    bye: ["How the call ended: 0 never answered; 1 answered, no BYE; 2 BYE not confirmed; 3 BYE and its 200 OK; 102 absolute_timeout; 104 rtptimeout; 108 sipwithoutrtptimeout."],
    whohanged: ["The party that sent the BYE (caller or callee); empty without BYE."],
    a_ua: ["First User-Agent (or Server) header sent by the caller."],
    b_ua: ["First User-Agent (or Server) header sent by the callee."],
    a_ua_id: ["Lookup id of a_ua in cdr_ua."],
    b_ua_id: ["Lookup id of b_ua in cdr_ua."],
    id_sensor: ["The sensor that saw the call."],
    vlan: ["802.1Q VLAN id of the first tagged SIP packet."],
    mos_min_mult10: ["Lowest interval MOS of any jitter buffer of either main stream.", 10, "MOS"],
    capture_loss: ["1 when the capture itself lost packets while the call was open: loss figures may include packets the network delivered."],
    capture_dropped: ["Packets the capture lost while the call was open, all calls together.", 1, "packets"],
    sighup: ["1 when the call was still open when the sensor stopped, and closed by that stop."],
    fbasename: ["The Call-ID made a file name: the name of the call's pcap files in the spool."],
  };
  // a_ / b_ fields: the caller's / callee's main stream.
  const SIDE = {
    payload: ["RTP payload type of the main stream."],
    received: ["RTP packets received in the main stream.", 1, "packets"],
    lost: ["Lost packets of the main stream (RFC 3550 expected minus received; negative with duplicates).", 1, "packets"],
    avgjitter_mult10: ["Mean RFC 3550 interarrival jitter of the main stream.", 10, "ms"],
    maxjitter: ["Maximum interarrival jitter of the main stream.", 1, "ms"],
    mos_f1_mult10: ["Mean 10-s interval MOS through a fixed 50 ms jitter buffer.", 10, "MOS"],
    mos_f1_min_mult10: ["Lowest interval MOS through a fixed 50 ms jitter buffer.", 10, "MOS"],
    mos_f2_mult10: ["Mean 10-s interval MOS through a fixed 200 ms jitter buffer.", 10, "MOS"],
    mos_f2_min_mult10: ["Lowest interval MOS through a fixed 200 ms jitter buffer.", 10, "MOS"],
    mos_adapt_mult10: ["Mean 10-s interval MOS through an adaptive (<= 500 ms) jitter buffer.", 10, "MOS"],
    mos_adapt_min_mult10: ["Lowest interval MOS through the adaptive jitter buffer.", 10, "MOS"],
    mos_min_mult10: ["Lowest of the three buffers' lowest interval MOS.", 10, "MOS"],
    packet_loss_perc_mult1000: ["Network losses / sequence numbers covered x 100.", 1000, "%"],
    reordered: ["Packets below the highest sequence number seen so far.", 1, "packets"],
    duplicates: ["Packets whose sequence number already arrived.", 1, "packets"],
    codec: ["Encoding name of the stream's first payload type."],
    rtp_ptime: ["Packetization time measured from consecutive packets.", 1, "ms"],
    cn: ["1 when comfort noise was seen."],
    srtp: ["1 when the stream is SRTP (announced in SDP or ZRTP)."],
    rtcp_loss: ["Cumulative lost from the last RTCP report sent by this party (about the other side's stream).", 1, "packets"],
    rtcp_maxfr: ["Maximum fraction lost of those RTCP reports (raw 0..255)."],
    rtcp_avgfr_mult10: ["Mean fraction lost of those RTCP reports (raw x 10)."],
    rtcp_maxjitter: ["Maximum jitter reported by RTCP.", 1, "ms"],
    rtcp_avgjitter_mult10: ["Mean jitter reported by RTCP.", 10, "ms"],
    rtcp_avgrtd_mult10: ["Mean LSR/DLSR round trip between the monitor and this party.", 10, "ms"],
    rtcp_maxrtd_mult10: ["Maximum LSR/DLSR round trip.", 10, "ms"],
  };
  const WHO = { a_: "Caller's stream: ", b_: "Callee's stream: " };
  window.describeField = function (name) {
    let m = F[name];
    if (m) return { meaning: m[0], scale: m[1] || 1, unit: m[2] || "" };
    const side = name.slice(0, 2);
    if (WHO[side]) {
      const rest = name.slice(2);
      m = SIDE[rest];
      if (m) return { meaning: WHO[side] + m[0], scale: m[1] || 1, unit: m[2] || "" };
      let r = /^sl(\d+)$/.exec(rest);
      if (r) return { meaning: WHO[side] + (r[1] === "10" ? "runs of 10 or more consecutive lost packets." : "runs of exactly " + r[1] + " consecutive lost packets."), scale: 1, unit: "bursts" };
      r = /^d(\d+)$/.exec(rest);
      if (r) return { meaning: WHO[side] + "packets in delay-variation bucket starting at " + r[1] + " ms (VoIPmonitor's buckets).", scale: 1, unit: "packets" };
    }
    return { meaning: "", scale: 1, unit: "" };
  };
})();
