#include "nodes/spawn.hpp"

#include <caf/sec.hpp>

#include "actors/call_router.hpp"
#include "actors/capture.hpp"
#include "actors/cdr_writer.hpp"
#include "store/jsonl_sink.hpp"
#include "store/sqlite_sink.hpp"

namespace voxmon::nodes {

namespace {

caf::error make_failure(std::string text) {
  return caf::make_error(caf::sec::runtime_error, std::move(text));
}

}  // namespace

std::string error_text(const caf::error& e) {
  const auto& ctx = e.context();
  if (ctx.size() == 1 && ctx.match_element<std::string>(0))
    return ctx.get_as<std::string>(0);
  return caf::to_string(e);
}

caf::expected<cdr_writer_actor> spawn_cdr_writer(caf::actor_system& sys, const config::settings& s) {
  sink_list sinks;
  std::string error;
  if (!s.cdr_jsonl.empty()) {
    auto sink = store::jsonl_sink::open(s.cdr_jsonl, error);
    if (!sink)
      return make_failure(error);
    sinks.push_back(std::move(sink));
  }
  if (s.db.rfind("sqlite:", 0) == 0) {
    auto sink = store::sqlite_sink::open(s.db.substr(7), error);
    if (!sink)
      return make_failure(error);
    sinks.push_back(std::move(sink));
  } else if (s.db != "none") {
    return make_failure("unsupported --db '" + s.db + "' (use sqlite:PATH or none)");
  }
  return sys.spawn(cdr_writer, std::move(sinks), s.table_rows);
}

caf::expected<call_router_actor> spawn_call_router(caf::actor_system& sys, const config::settings& s,
                                                   uint64_t source, cdr_writer_actor writer) {
  router_config cfg;
  cfg.source = source;
  cfg.id_sensor = s.id_sensor;
  cfg.timeouts.rtp = core::timestamp_ns{s.rtptimeout} * core::ns_per_second;
  cfg.timeouts.sip_without_rtp = core::timestamp_ns{s.sipwithoutrtptimeout} * core::ns_per_second;
  cfg.timeouts.absolute = core::timestamp_ns{s.absolute_timeout} * core::ns_per_second;
  cfg.timeouts.bye = core::timestamp_ns{s.bye_timeout} * core::ns_per_second;
  cfg.timeouts.auth_retry = core::timestamp_ns{s.auth_retry_timeout} * core::ns_per_second;
  return sys.spawn(call_router, cfg, std::move(writer));
}

caf::expected<capture_actor> spawn_file_capture(caf::actor_system& sys, const config::settings& s,
                                                call_router_actor router) {
  std::string error;
  std::shared_ptr<core::pcap_file_reader> reader = core::pcap_file_reader::open(s.read_file, error);
  if (!reader)
    return make_failure(error);
  capture_config cfg;
  cfg.id_sensor = s.id_sensor;
  for (const auto& r : s.sipport)
    cfg.sip_ports.emplace_back(r.first, r.last);
  cfg.batch_packets = s.batch_packets;
  cfg.progress = s.progress;
  return sys.spawn<caf::detached>(file_capture, std::move(reader), std::move(cfg), std::move(router));
}

}  // namespace voxmon::nodes
