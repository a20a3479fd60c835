#include "tools/gen/sip_builder.hpp"

#include <cstdio>

#include "tools/gen/rng.hpp"

namespace voxmon::gen {
namespace {

enum id_slot : uint64_t {
  id_callid = 1, id_from_tag, id_to_tag, id_branch_invite, id_branch_ack, id_branch_bye,
  id_branch_callee_bye, id_session, id_fork_tag, id_branch_invite2, id_branch_reinvite,
};

std::string hex(uint64_t v, int digits) {
  char b[17];
  std::snprintf(b, sizeof b, "%0*llx", digits,
                static_cast<unsigned long long>(digits < 16 ? v >> (64 - 4 * digits) : v));
  return b;
}
uint64_t ident(const call_plan& p, id_slot s) { return mix64(p.seed ^ (s * 0x9e3779b97f4a7c15ULL)); }

// Host part of a URI or Via: IPv6 references are bracketed (RFC 3261 25.1).
std::string host(const ip_addr& a) { return a.v6 ? "[" + to_string(a) + "]" : to_string(a); }

struct parts {
  std::string caller, called, caller_host, callee_host, target_host, from, from_tagged, to,
      to_tagged, to_fork, callid;
  std::string via_caller_invite, via_caller_invite2, via_caller_ack, via_caller_bye,
      via_callee_bye, via_reinvite_hold, via_reinvite_unhold;
};

parts make_parts(const call_plan& p, bool v6, bool tcp) {
  parts x;
  x.caller = caller_number(p.n);
  x.called = callee_number(p.n);
  x.caller_host = host(caller_ip(p.n, v6));
  x.callee_host = host(answer_ip(p, v6));
  x.target_host = host(target_ip(p.n, v6));
  x.from = "\"" + caller_display_name(p) + "\" <sip:" + x.caller + "@" + caller_domain + ">";
  x.from_tagged = x.from + ";tag=" + hex(ident(p, id_from_tag), 8);
  x.to = "<sip:" + x.called + "@" + callee_domain + ">";
  x.to_tagged = x.to + ";tag=" + hex(ident(p, id_to_tag), 8);
  x.to_fork = x.to + ";tag=" + hex(ident(p, id_fork_tag), 8);
  x.callid = call_id(p);
  auto via = [tcp](const std::string& h, uint64_t branch) {
    return std::string(tcp ? "SIP/2.0/TCP " : "SIP/2.0/UDP ") + h + ":5060;branch=z9hG4bK" + hex(branch, 16);
  };
  x.via_caller_invite = via(x.caller_host, ident(p, id_branch_invite));
  x.via_caller_invite2 = via(x.caller_host, ident(p, id_branch_invite2));
  x.via_reinvite_hold = via(x.caller_host, ident(p, id_branch_reinvite));
  x.via_reinvite_unhold = via(x.caller_host, ident(p, id_branch_reinvite) + 1);
  x.via_caller_ack = via(x.caller_host, ident(p, id_branch_ack));
  x.via_caller_bye = via(x.caller_host, ident(p, id_branch_bye));
  x.via_callee_bye = via(x.callee_host, ident(p, id_branch_callee_bye));
  return x;
}

// SDP offer (caller) or answer; `version` counts re-offers; `dir` the a= direction attribute.
std::string sdp(const call_plan& p, bool offer, bool v6, int version = 0, const char* dir = "sendrecv",
                bool moved = false) {
  const codec_info& c = codec_table[p.codec];
  const ip_addr a = offer ? caller_ip(p.n, v6) : answer_ip(p, v6);
  const uint16_t port = offer ? (moved ? caller_rtp_port2(p.n) : caller_rtp_port(p.n)) : callee_rtp_port(p.n);
  const std::string addr = std::string(v6 ? "IN IP6 " : "IN IP4 ") + to_string(a);
  const std::string id = std::to_string(ident(p, id_session) % 1000000000 + (offer ? 0 : 1));
  const std::string session = id + " " + std::to_string(std::stoull(id) + static_cast<unsigned>(version));
  const std::string pt = std::to_string(c.pt);
  std::string s = "v=0\r\n";
  s += "o=- " + session + " " + addr + "\r\n";
  s += "s=voxmon-gen\r\n";
  s += "c=" + addr + "\r\n";
  s += "t=0 0\r\n";
  s += "m=audio " + std::to_string(port) + " RTP/AVP " + pt + " 101\r\n";
  s += "a=rtpmap:" + pt + " " + c.rtpmap + "\r\n";
  if (c.fmtp) s += "a=fmtp:" + pt + " " + c.fmtp + "\r\n";
  s += "a=rtpmap:101 telephone-event/8000\r\n";
  s += "a=fmtp:101 0-16\r\n";
  s += "a=ptime:20\r\n";
  s += std::string("a=") + dir + "\r\n";
  return s;
}

// Deterministic filler for --fragment-sip: printable, no spaces at the ends.
std::string padding(size_t n) {
  static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s(n, 'x');
  for (size_t i = 0; i < n; ++i) s[i] = alphabet[(i * 7 + i / 36) % 36];
  return s;
}

class message {
 public:
  explicit message(std::string start) : text_(std::move(start) + "\r\n") {}
  message& h(const char* name, const std::string& value) {
    text_ += name;
    text_ += ": ";
    text_ += value;
    text_ += "\r\n";
    return *this;
  }
  std::string finish(const std::string& body = {}) {
    if (!body.empty()) h("Content-Type", "application/sdp");
    h("Content-Length", std::to_string(body.size()));
    return text_ + "\r\n" + body;
  }

 private:
  std::string text_;
};

std::string status(int code) { return "SIP/2.0 " + std::to_string(code) + " " + reason_phrase(code); }

}  // namespace

std::string call_id(const call_plan& p) {
  return std::to_string(p.n) + "-" + hex(ident(p, id_callid), 16) + "@gen.voxmon";
}
std::string caller_display_name(const call_plan& p) { return "Caller " + std::to_string(p.n); }

std::string build_sip(const call_plan& p, const sip_event& e, bool v6, bool tcp) {
  const parts x = make_parts(p, v6, tcp);
  const std::string allow = "INVITE, ACK, CANCEL, BYE, OPTIONS";
  const std::string callee_contact = "<sip:" + x.called + "@" + x.callee_host + ":5060>";
  const std::string caller_contact = "<sip:" + x.caller + "@" + x.caller_host + ":5060>";
  const std::string cs = std::to_string(e.cseq);
  const std::string& to_tag = e.tag == 2 ? x.to_fork : x.to_tagged;
  const std::string& via_invite =
      e.cseq == 1 || !p.redirected ? x.via_caller_invite : x.via_caller_invite2;
  // Responses from the callee to the INVITE (and to the CANCEL).
  auto response = [&](int code, const char* method) {
    message m(status(code));
    m.h("Via", via_invite).h("From", x.from_tagged).h("To", e.tag ? to_tag : x.to);
    m.h("Call-ID", x.callid).h("CSeq", cs + " " + method);
    return m;
  };
  switch (e.kind) {
    case sip_kind::invite: {
      const bool to_target = p.redirected && e.cseq == 2;
      message m("INVITE sip:" + x.called + "@" + (to_target ? x.target_host + ":5060" : callee_domain) + " SIP/2.0");
      m.h("Via", via_invite).h("Max-Forwards", "70").h("From", x.from_tagged);
      m.h("To", x.to).h("Call-ID", x.callid).h("CSeq", cs + " INVITE").h("Contact", caller_contact);
      m.h("User-Agent", caller_agent).h("Allow", allow);
      if (p.pad) m.h("X-Voxmon-Padding", padding(p.pad));
      return m.finish(sdp(p, true, v6));
    }
    case sip_kind::trying:
      return response(100, "INVITE").h("Server", callee_agent).finish();
    case sip_kind::ringing:
      return response(180, "INVITE").h("Contact", callee_contact).h("Server", callee_agent).finish();
    case sip_kind::moved:
      return response(302, "INVITE")
          .h("Contact", "<sip:" + x.called + "@" + x.target_host + ":5060>")
          .h("Server", callee_agent)
          .finish();
    case sip_kind::ok_invite:
      return response(200, "INVITE")
          .h("Contact", callee_contact)
          .h("Server", callee_agent)
          .h("Allow", allow)
          .finish(sdp(p, false, v6));
    case sip_kind::final_error:
      return response(p.final_code, "INVITE").h("Server", callee_agent).finish();
    case sip_kind::ok_cancel:
      return response(200, "CANCEL").h("Server", callee_agent).finish();
    case sip_kind::ack_2xx:
    case sip_kind::ack_error: {
      const bool ok = e.kind == sip_kind::ack_2xx;
      // 2xx ACK: new transaction to the Contact; non-2xx ACK: same branch and Request-URI.
      message m("ACK sip:" + x.called + "@" + (ok ? x.callee_host + ":5060" : callee_domain) +
                " SIP/2.0");
      m.h("Via", ok ? x.via_caller_ack : via_invite).h("Max-Forwards", "70");
      m.h("From", x.from_tagged).h("To", to_tag).h("Call-ID", x.callid).h("CSeq", cs + " ACK");
      return m.h("User-Agent", caller_agent).finish();
    }
    case sip_kind::cancel: {
      message m("CANCEL sip:" + x.called + "@" + callee_domain + " SIP/2.0");
      m.h("Via", via_invite).h("Max-Forwards", "70").h("From", x.from_tagged);
      m.h("To", x.to).h("Call-ID", x.callid).h("CSeq", cs + " CANCEL");
      return m.h("User-Agent", caller_agent).finish();
    }
    case sip_kind::reinvite:
    case sip_kind::ok_reinvite:
    case sip_kind::ack_reinvite: {
      const std::string& via = e.hold ? x.via_reinvite_hold : x.via_reinvite_unhold;
      const int version = e.hold ? 1 : 2;
      if (e.kind == sip_kind::ok_reinvite) {
        message m(status(200));
        m.h("Via", via).h("From", x.from_tagged).h("To", x.to_tagged).h("Call-ID", x.callid);
        m.h("CSeq", cs + " INVITE").h("Contact", callee_contact).h("Server", callee_agent);
        return m.finish(sdp(p, false, v6, version, e.hold ? "recvonly" : "sendrecv"));
      }
      const bool ack = e.kind == sip_kind::ack_reinvite;
      message m(std::string(ack ? "ACK" : "INVITE") + " sip:" + x.called + "@" + x.callee_host + ":5060 SIP/2.0");
      m.h("Via", ack ? via + "a" : via).h("Max-Forwards", "70").h("From", x.from_tagged);
      m.h("To", x.to_tagged).h("Call-ID", x.callid).h("CSeq", cs + (ack ? " ACK" : " INVITE"));
      if (!ack) m.h("Contact", caller_contact);
      m.h("User-Agent", caller_agent);
      if (ack) return m.finish();
      return m.finish(sdp(p, true, v6, version, e.hold ? "sendonly" : "sendrecv", !e.hold && p.new_port));
    }
    case sip_kind::bye: {
      if (e.from_caller) {
        message m("BYE sip:" + x.called + "@" + x.callee_host + ":5060 SIP/2.0");
        m.h("Via", x.via_caller_bye).h("Max-Forwards", "70").h("From", x.from_tagged);
        m.h("To", x.to_tagged).h("Call-ID", x.callid).h("CSeq", cs + " BYE");
        return m.h("User-Agent", caller_agent).finish();
      }
      message m("BYE sip:" + x.caller + "@" + x.caller_host + ":5060 SIP/2.0");
      m.h("Via", x.via_callee_bye).h("Max-Forwards", "70").h("From", x.to_tagged);
      m.h("To", x.from_tagged).h("Call-ID", x.callid).h("CSeq", cs + " BYE");
      return m.h("User-Agent", callee_agent).finish();
    }
    case sip_kind::ok_bye: {
      message m(status(200));
      if (!e.from_caller) {  // the callee answers the caller's BYE
        m.h("Via", x.via_caller_bye).h("From", x.from_tagged).h("To", x.to_tagged);
        m.h("Call-ID", x.callid).h("CSeq", cs + " BYE").h("Server", callee_agent);
      } else {  // the caller answers the callee's BYE
        m.h("Via", x.via_callee_bye).h("From", x.to_tagged).h("To", x.from_tagged);
        m.h("Call-ID", x.callid).h("CSeq", cs + " BYE").h("Server", caller_agent);
      }
      return m.finish();
    }
  }
  return {};
}

}  // namespace voxmon::gen
