#!/usr/bin/env python3
"""Cross-check a voxmon-gen capture against its truth file using tshark's own decoding.

usage: tshark_check.py FILE.pcap [FILE.pcap.truth.jsonl]

Checks: IP/UDP checksums (tshark verifies them), malformed packets, every call's SIP-derived
truth fields (times, parties, addresses, codes, bye, whohanged, agents, vlan) recomputed from
tshark's SIP fields, and every RTP stream's packets, loss, max and mean jitter against
`tshark -z rtp,streams` (both average the jitter over the packets after the first).
Exit status 0 when everything agrees.
"""
import collections, json, subprocess, sys

def tshark(pcap, *args):
    out = subprocess.run(["tshark", "-r", pcap, *args], capture_output=True, text=True, check=True)
    return out.stdout

def ns(epoch):  # "1767225600.123456789" -> int ns
    sec, _, frac = epoch.partition(".")
    return int(sec) * 10**9 + int((frac + "000000000")[:9])

def fmt(t):
    import datetime
    d = datetime.datetime.fromtimestamp(t // 10**9, datetime.timezone.utc)
    return d.strftime("%Y-%m-%d %H:%M:%S") + ".%03d" % ((t % 10**9) // 10**6)

def secs(a, b):
    return None if a is None or b is None else ((b - a) + 500000) // 1000000 / 1000.0

def main():
    pcap = sys.argv[1]
    truth_path = sys.argv[2] if len(sys.argv) > 2 else pcap + ".truth.jsonl"
    truth = [json.loads(l) for l in open(truth_path)]
    problems = collections.Counter()
    examples = {}

    def bad(what, detail):
        problems[what] += 1
        examples.setdefault(what, detail)

    # 1. checksums and malformed packets
    ck = tshark(pcap, "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
                "-T", "fields", "-e", "ip.checksum.status", "-e", "udp.checksum.status",
                "-e", "_ws.malformed", "-e", "_ws.expert.severity")
    status = collections.Counter()
    for line in ck.splitlines():
        f = line.split("\t")
        for v in f[0].split(","):
            status["ip." + (v or "none")] += 1
        status["udp." + (f[1] or "none")] += 1
        if f[2]:
            bad("malformed packet", line)
    if status.get("ip.0") or status.get("udp.0"):
        bad("bad checksum", dict(status))
    print("checksum status (1=good, 2=unverified, none=fragment/not UDP):", dict(status))

    # 2. SIP and RTP packets as tshark decodes them
    fields = ["frame.time_epoch", "ip.src", "ipv6.src", "ip.dst", "ipv6.dst", "udp.srcport",
              "udp.dstport", "rtp.ssrc", "sip.Call-ID", "sip.Method", "sip.Status-Code",
              "sip.CSeq.method", "sip.from.user", "sip.from.display.info", "sip.from.host",
              "sip.to.user", "sip.to.host", "sip.User-Agent", "sip.Server", "vlan.id"]
    args = ["-Y", "sip || rtp", "-T", "fields", "-E", "occurrence=l"]
    for f in fields:
        args += ["-e", f]
    calls = collections.OrderedDict()
    by_pair = {}
    rtp_times = collections.defaultdict(list)
    vlans = set()
    for line in tshark(pcap, *args).splitlines():
        v = dict(zip(fields, line.split("\t")))
        t = ns(v["frame.time_epoch"])
        src = v["ipv6.src"] or v["ip.src"]  # the inner header (IPv6 in IPv4 under --ipip)
        dst = v["ipv6.dst"] or v["ip.dst"]
        if v["vlan.id"]:
            vlans.add(int(v["vlan.id"]))
        if v["sip.Call-ID"]:
            c = calls.setdefault(v["sip.Call-ID"], {"msgs": []})
            c["msgs"].append((t, src, dst, v))
            by_pair[(src, dst)] = by_pair[(dst, src)] = v["sip.Call-ID"]
        elif v["rtp.ssrc"]:
            rtp_times[(src, dst)].append(t)

    for cid, c in calls.items():
        invites = [m for m in c["msgs"] if m[3]["sip.Method"] == "INVITE"]
        first = invites[0]
        caller_ip = first[1]
        d = {"calldate": first[0], "caller": first[3]["sip.from.user"],
             "callername": first[3]["sip.from.display.info"].strip('"'),
             "caller_domain": first[3]["sip.from.host"], "called": first[3]["sip.to.user"],
             "called_domain": first[3]["sip.to.host"], "sipcallerip": caller_ip,
             "sipcalledip": invites[-1][2], "a_ua": first[3]["sip.User-Agent"]}
        code, progress, connect, bye, bye_ok, who, b_ua = 0, None, None, False, False, None, ""
        for t, src, dst, v in c["msgs"]:
            sc = int(v["sip.Status-Code"] or 0)
            if sc and src != caller_ip and not b_ua:
                b_ua = v["sip.Server"] or v["sip.User-Agent"]
            if sc and v["sip.CSeq.method"] == "INVITE":
                if 180 <= sc < 200 and progress is None:
                    progress = t
                if sc >= 200:
                    code = sc
                if sc == 200 and connect is None:
                    connect = t
                    progress = progress or t
            if v["sip.Method"] == "BYE":
                bye, who = True, ("caller" if src == caller_ip else "callee")
            if sc == 200 and v["sip.CSeq.method"] == "BYE" and bye:
                bye_ok = True
        last = max(m[0] for m in c["msgs"])
        rtp_all = []
        for (s, dd), ts in rtp_times.items():
            if by_pair.get((s, dd)) == cid:
                rtp_all += ts
        first_rtp = min(rtp_all) if rtp_all else None
        end = max([last] + rtp_all)
        d.update({"callend": end, "duration": secs(first[0], end),
                  "connect_duration": secs(connect, end) if connect else None,
                  "progress_time": secs(first[0], progress), "first_rtp_time": secs(first[0], first_rtp),
                  "lastSIPresponseNum": code, "bye": 3 if bye_ok else 0, "whohanged": who, "b_ua": b_ua})
        c["derived"] = d

    # 3. per-call comparison
    vlan_truth = {t["vlan"] for t in truth}
    if vlans != {v for v in vlan_truth if v is not None}:
        bad("vlan", (vlans, vlan_truth))
    for t in truth:
        c = calls.get(t["callid"])
        if not c:
            bad("call missing in tshark", t["callid"])
            continue
        d = c["derived"]
        for k, v in d.items():
            want = t[k]
            got = fmt(v) if k in ("calldate", "callend") else v
            if got != want:
                bad("call." + k, (t["callid"], "truth", want, "tshark", got))
    if len(calls) != len(truth):
        bad("call count", (len(calls), len(truth)))

    # 4. RTP streams
    streams = {}
    for line in tshark(pcap, "-q", "-z", "rtp,streams").splitlines():
        tok = line.split()
        if len(tok) < 15 or not tok[6].startswith("0x"):
            continue
        i = next(j for j, x in enumerate(tok) if x.endswith("%)"))
        key = (tok[2], int(tok[3]), tok[4], int(tok[5]), int(tok[6], 16))
        streams[key] = {"pkts": int(tok[i - 2]), "lost": int(tok[i - 1]),
                        "mean": float(tok[i + 5]), "max": float(tok[i + 6])}
    n_streams, worst_mean, worst_max = 0, 0.0, 0.0
    for t in truth:
        for s in t["rtp"]:
            key = (s["saddr"], s["sport"], s["daddr"], s["dport"], s["ssrc"])
            w = streams.pop(key, None)
            if w is None:
                bad("stream missing in tshark", key)
                continue
            n_streams += 1
            n = s["received"]
            if w["pkts"] != n:
                bad("rtp.received", (key, n, w["pkts"]))
            if w["lost"] != s["loss"]:
                bad("rtp.loss", (key, s["loss"], w["lost"]))
            dmax = abs(w["max"] - s["maxjitter"])
            scaled = s["avgjitter"]  # both average over the packets after the first
            dmean = abs(w["mean"] - scaled)
            worst_max, worst_mean = max(worst_max, dmax), max(worst_mean, dmean)
            if dmax > 0.0011:
                bad("rtp.maxjitter", (key, s["maxjitter"], w["max"]))
            if dmean > 0.0016:
                bad("rtp.avgjitter", (key, s["avgjitter"], "scaled", round(scaled, 4), w["mean"]))
    for key in streams:
        bad("stream not in truth", key)
    print(f"calls: truth {len(truth)}, tshark {len(calls)}; streams compared: {n_streams}; "
          f"max |jitter diff| ms: max {worst_max:.4f}, mean(scaled) {worst_mean:.4f}")
    for what, n in sorted(problems.items()):
        print(f"MISMATCH {what}: {n}  e.g. {examples[what]}")
    print("OK" if not problems else "DIFFERENCES FOUND")
    return 0 if not problems else 1

if __name__ == "__main__":
    sys.exit(main())
