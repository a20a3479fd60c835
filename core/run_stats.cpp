#include "core/run_stats.hpp"

#include <sstream>

namespace voxmon::core {

std::string run_stats::summary_fields() const {
  std::ostringstream out;
  out << "packets=" << packets << " bytes=" << bytes << " sip=" << sip_messages
      << " rtp=" << rtp_packets << " rtcp=" << rtcp_packets << " calls=" << calls
      << " cdrs=" << cdrs_written;
  uint64_t dropped = 0;
  for (auto d : decode_drops)
    dropped += d;
  out << " dropped=" << dropped + sip_bad + sip_outside_call;
  std::string reasons;
  auto item = [&](const char* name, uint64_t n) {
    if (n != 0)
      reasons += (reasons.empty() ? "" : " ") + std::string(name) + '=' + std::to_string(n);
  };
  for (size_t i = 0; i < decode_drops.size(); ++i)
    item(to_string(static_cast<drop_reason>(i)), decode_drops[i]);
  item("bad_sip", sip_bad);
  item("sip_outside_call", sip_outside_call);
  if (!reasons.empty())
    out << " (" << reasons << ')';
  if (ip_in_ip)
    out << " ip_in_ip=" << ip_in_ip;
  if (reassembled)
    out << " reassembled=" << reassembled;
  for (size_t i = 0; i < decapsulated.size(); ++i)
    if (decapsulated[i])
      out << ' ' << to_string(static_cast<tunnel_kind>(i)) << '=' << decapsulated[i];
  auto extra = [&](const char* name, uint64_t n) {
    if (n)
      out << ' ' << name << '=' << n;
  };
  extra("tcp_sip", tcp_messages);
  extra("websocket_sip", websocket_messages);
  extra("sctp_sip", sctp_messages);
  extra("tcp_retransmissions", tcp_retransmissions);
  extra("tcp_out_of_order", tcp_out_of_order);
  extra("tcp_gaps", tcp_gaps);
  extra("tcp_overflow", tcp_overflow);
  extra("hep_udp", hep_udp);
  extra("hep_tcp", hep_tcp);
  extra("hep_bad", hep_bad);
  extra("hep_clients", hep_clients);
  extra("hep_clients_dropped", hep_clients_dropped);
  if (sip_non_call)
    out << " sip_non_call=" << sip_non_call;
  if (unmatched_udp)
    out << " unmatched_udp=" << unmatched_udp;
  if (cdr_errors)
    out << " cdr_errors=" << cdr_errors;
  return out.str();
}

run_stats& run_stats::operator+=(const run_stats& o) {
  packets += o.packets;
  bytes += o.bytes;
  ip_in_ip += o.ip_in_ip;
  reassembled += o.reassembled;
  for (size_t i = 0; i < decode_drops.size(); ++i)
    decode_drops[i] += o.decode_drops[i];
  for (size_t i = 0; i < decapsulated.size(); ++i)
    decapsulated[i] += o.decapsulated[i];
  tcp_messages += o.tcp_messages;
  websocket_messages += o.websocket_messages;
  sctp_messages += o.sctp_messages;
  tcp_retransmissions += o.tcp_retransmissions;
  tcp_out_of_order += o.tcp_out_of_order;
  tcp_gaps += o.tcp_gaps;
  tcp_overflow += o.tcp_overflow;
  hep_udp += o.hep_udp;
  hep_tcp += o.hep_tcp;
  hep_bad += o.hep_bad;
  hep_clients += o.hep_clients;
  hep_clients_dropped += o.hep_clients_dropped;
  sip_messages += o.sip_messages;
  sip_bad += o.sip_bad;
  sip_outside_call += o.sip_outside_call;
  sip_non_call += o.sip_non_call;
  rtp_packets += o.rtp_packets;
  rtcp_packets += o.rtcp_packets;
  unmatched_udp += o.unmatched_udp;
  other_packets += o.other_packets;
  calls += o.calls;
  cdrs_written += o.cdrs_written;
  cdr_errors += o.cdr_errors;
  return *this;
}

}  // namespace voxmon::core
