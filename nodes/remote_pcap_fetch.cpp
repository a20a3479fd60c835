#include "nodes/remote_pcap_fetch.hpp"

#include <caf/scoped_actor.hpp>

#include <memory>

#include "actors/central_join.hpp"
#include "core/temp_dir.hpp"

namespace voxmon::nodes {

namespace {

using core::remote_pcap_outcome;

gui::remote_call_files failure(remote_pcap_outcome o, std::string error) {
  gui::remote_call_files out;
  out.outcome = o;
  out.error = std::move(error);
  return out;
}

}  // namespace

gui::remote_call_files fetch_remote_call_files(caf::actor_system& sys, const pcap_relay_actor& relay,
                                               const gui::remote_pcap_query& q,
                                               const remote_fetch_limits& limits) {
  const std::string who = "sensor " + std::to_string(q.id_sensor);
  const core::timestamp_ns calldate = q.calldate_ns.value_or(0);
  caf::scoped_actor self{sys};
  // One request: the sensor's answer, or why there is none.
  auto ask = [&](const core::pcap_piece_request& r) {
    core::pcap_piece piece;
    self->request(relay, limits.timeout, fetch_atom::value, q.id_sensor, r)
      .receive([&](core::pcap_piece& p) { piece = std::move(p); },
               [&](caf::error& e) {
                 piece = e == caf::sec::request_timeout
                           ? core::pcap_piece_failure(remote_pcap_outcome::no_answer,
                                                      who + " did not answer within " +
                                                        std::to_string(limits.timeout.count()) + " s")
                           : core::pcap_piece_failure(remote_pcap_outcome::not_connected,
                                                      who + " is not connected: its pcaps cannot be fetched (" +
                                                        link_error_message(e) + ")");
               });
    return piece;
  };
  std::vector<core::spool_kind> parts;
  if (q.sip)
    parts.push_back(core::spool_kind::sip);
  if (q.rtp)
    parts.push_back(core::spool_kind::rtp);
  gui::remote_call_files out;
  std::string not_found;  // the sensor's words for every part it does not have
  auto missing = [&](const std::string& why) { not_found += (not_found.empty() ? "" : "; ") + why; };

  if (q.listing_only) {
    for (auto part : parts) {
      const auto p = ask({q.fbasename, calldate, part, 0, 0, /*max_bytes=*/0});
      if (p.outcome == remote_pcap_outcome::not_found)
        missing(p.error);
      else if (p.outcome != remote_pcap_outcome::ok)
        return failure(p.outcome, p.error);
      (part == core::spool_kind::sip ? out.has_sip : out.has_rtp) =
        p.outcome == remote_pcap_outcome::ok && !p.files.empty();
    }
  } else {
    std::string error;
    std::shared_ptr<core::temp_dir> dir = core::temp_dir::make("voxmon-remote-pcap-", error);
    if (!dir)
      return failure(remote_pcap_outcome::failed, error);
    uint64_t budget = limits.max_bytes;
    for (auto part : parts) {
      core::remote_part_download d(dir->path(), who, q.fbasename, calldate, part, budget);
      while (auto r = d.next())
        d.take(ask(*r));
      if (d.outcome() == remote_pcap_outcome::not_found) {
        missing(d.error());
        continue;
      }
      if (!d.complete())
        return failure(d.outcome(), d.error());
      budget -= d.bytes();
      if (part == core::spool_kind::sip) {
        out.has_sip = true;
        out.sip = d.paths();
      } else {
        out.has_rtp = true;
        out.rtp = d.paths();
      }
    }
    out.keep = dir;
  }
  if (!out.has_sip && !out.has_rtp)
    return failure(remote_pcap_outcome::not_found, not_found);
  return out;
}

}  // namespace voxmon::nodes
