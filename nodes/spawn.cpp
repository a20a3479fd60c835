#include "nodes/spawn.hpp"

#include <caf/scoped_actor.hpp>
#include <caf/sec.hpp>

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "actors/call_router.hpp"
#include "actors/capture.hpp"
#include "actors/hep_listener.hpp"
#include "actors/cdr_writer.hpp"
#include "actors/spool_writer.hpp"
#include "actors/uplink_sink.hpp"
#include "core/open_files.hpp"
#include "config/cluster_settings.hpp"
#include "nodes/remoting.hpp"
#include "config/spool_settings.hpp"
#include "config/store_settings.hpp"
#include "config/tunnel_settings.hpp"
#include "store/jsonl_sink.hpp"
#include "store/mysql_store.hpp"
#include "store/sqlite_sink.hpp"

namespace voxmon::nodes {

namespace {

}  // namespace

std::unique_ptr<store::mysql_store> open_mysql_store(const config::settings& s, std::string& error,
                                                    std::string& warning) {
  store::mysql_store_options o;
  auto params = config::mysql_params_of(s, error);
  if (!params)
    return nullptr;
  o.params = std::move(*params);
  o.schema.partition = s.cdr_partition;
  o.schema.ipv6 = s.ipv6;
  o.schema.cleandatabase_days = s.cleandatabase;
  o.journal_path = s.cdr_journal;
  o.journal_fsync = store::parse_fsync_policy(s.cdr_journal_fsync);
  o.batch = s.mysql_batch;
  return store::mysql_store::open(o, error, warning);
}

caf::expected<sink_list> open_cdr_sinks(caf::actor_system& sys, const config::settings& s,
                                        std::shared_ptr<const std::atomic<uint64_t>> capture_dropped) {
  sink_list sinks;
  std::string error;
  if (!s.cdr_jsonl.empty()) {
    // A daemon (no -r: live capture, central node) restarts and goes on; a run writes afresh.
    auto sink = store::jsonl_sink::open(
      s.cdr_jsonl, error, s.read_file.empty() ? store::jsonl_mode::append : store::jsonl_mode::truncate);
    if (!sink)
      return make_failure(error);
    sinks.push_back(std::move(sink));
  }
  const bool mysql = config::uses_mysql(s);
  if (mysql) {
    std::string warning;
    auto sink = open_mysql_store(s, error, warning);
    if (!sink)
      return make_failure(error);
    if (!warning.empty())
      std::cerr << "voxmon: warning: " << warning << '\n';
    sinks.push_back(std::move(sink));
  } else if (s.db.rfind("sqlite:", 0) == 0) {
    auto sink = store::sqlite_sink::open(s.db.substr(7), error);
    if (!sink)
      return make_failure(error);
    sinks.push_back(std::move(sink));
  } else if (s.db != "none") {
    return make_failure("unsupported --db '" + s.db + "' (use sqlite:PATH, mysql://... or none)");
  }
  if (config::is_sensor(s) && !s.packetbuffer_sender) {
    uplink_options o;
    auto join = join_options_of(s);
    if (!join)
      return join.error();
    o.join = std::move(*join);
    o.outbox_path = s.server_outbox;
    o.outbox_fsync = store::parse_fsync_policy(s.cdr_journal_fsync);
    o.flush_timeout = std::chrono::seconds(s.server_flush_timeout);
    o.upload_batch = s.server_upload_batch;
    o.capture_dropped = std::move(capture_dropped);
    o.spool = {s.spooldir, s.id_sensor, uint64_t{s.remote_pcap_max_mb} << 20};
    o.keep_joined = s.read_file.empty() || s.stay_joined;
    auto sink = uplink_sink::open(sys, std::move(o), error);
    if (!sink)
      return make_failure(error);
    if (auto w = tls_warning(s); !w.empty())
      std::cerr << "voxmon: warning: " << w << '\n';
    sinks.push_back(std::move(sink));
  }
  return sinks;
}

caf::expected<cdr_writer_actor> spawn_cdr_writer(
  caf::actor_system& sys, const config::settings& s,
  std::shared_ptr<const std::atomic<uint64_t>> capture_dropped) {
  auto sinks = open_cdr_sinks(sys, s, std::move(capture_dropped));
  if (!sinks)
    return sinks.error();
  // A database or a central node can block a write for seconds (a server going away): such a
  // writer gets its own thread so that it never holds a scheduler worker the analysis needs.
  if (config::uses_mysql(s) || (config::is_sensor(s) && !s.packetbuffer_sender))
    return sys.spawn<caf::detached>(cdr_writer, std::move(*sinks), s.table_rows);
  return sys.spawn(cdr_writer, std::move(*sinks), s.table_rows);
}

caf::expected<join_options> join_options_of(const config::settings& s) {
  std::string error;
  auto servers = config::parse_destinations(s, error);
  if (!servers)
    return make_failure(error);
  auto password = config::server_password(s, error);
  if (!password)
    return make_failure(error);
  join_options o;
  for (auto& d : *servers)
    o.servers.push_back({d.host, d.port});
  o.password = *password;
  o.id_sensor = s.id_sensor;
  o.sensor_name = sensor_name(s);
  o.version = VOXMON_VERSION;
  o.tls = tls_files_of(s);
  return o;
}

std::string sensor_name(const config::settings& s) {
  if (!s.sensor_name.empty())
    return s.sensor_name;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0 && host[0])
    return host;
  return "sensor-" + std::to_string(s.id_sensor);
}

core::call_timeouts call_timeouts_of(const config::settings& s) {
  core::call_timeouts t;
  t.rtp = core::timestamp_ns{s.rtptimeout} * core::ns_per_second;
  t.sip_without_rtp = core::timestamp_ns{s.sipwithoutrtptimeout} * core::ns_per_second;
  t.absolute = core::timestamp_ns{s.absolute_timeout} * core::ns_per_second;
  t.bye = core::timestamp_ns{s.bye_timeout} * core::ns_per_second;
  t.auth_retry = core::timestamp_ns{s.auth_retry_timeout} * core::ns_per_second;
  return t;
}

caf::expected<call_router_actor> spawn_call_router(caf::actor_system& sys, const config::settings& s,
                                                   uint64_t source, cdr_writer_actor writer,
                                                   const spool_pool* spool, uint32_t sources,
                                                   uint32_t merged_sources) {
  router_config cfg;
  cfg.source = source;
  cfg.sources = sources;
  cfg.merged_sources = merged_sources;
  cfg.id_sensor = s.id_sensor;
  cfg.timeouts = call_timeouts_of(s);
  if (spool && !spool->writers.empty()) {
    cfg.spool_pool = spool->writers;
    cfg.spool.sip = s.savesip;
    cfg.spool.rtp = s.savertp != config::save_rtp::no;
    cfg.spool.rtcp = s.savertcp;
    cfg.spool.rtp_header_only = s.savertp == config::save_rtp::header;
  }
  return sys.spawn(call_router, cfg, std::move(writer));
}

capture_config capture_config_of(const config::settings& s) {
  capture_config cfg;
  cfg.id_sensor = s.id_sensor;
  for (const auto& r : s.sipport)
    cfg.sip_ports.emplace_back(r.first, r.last);
  cfg.batch_packets = s.batch_packets;
  cfg.progress = s.progress;
  cfg.limits = config::decoder_limits_from(s);
  cfg.tcp = config::tcp_limits_from(s);
  return cfg;
}

caf::expected<capture_actor> spawn_file_capture(caf::actor_system& sys, const config::settings& s,
                                                call_router_actor router) {
  std::string error;
  std::shared_ptr<core::pcap_file_reader> reader = core::pcap_file_reader::open(s.read_file, error);
  if (!reader)
    return make_failure(error);
  return sys.spawn<caf::detached>(file_capture, std::move(reader), capture_config_of(s),
                                  std::move(router));
}

mirror_ingest_local_actor spawn_mirror_ingest(caf::actor_system& sys, const config::settings& s,
                                              cdr_writer_actor writer, const spool_pool& pool) {
  mirror_ingest_config cfg;
  cfg.feed.capture = capture_config_of(s);
  cfg.feed.capture.progress = false;
  cfg.make_router = [&sys, s, writer, pool](uint32_t id_sensor, uint64_t source) {
    config::settings per_sensor = s;
    per_sensor.id_sensor = id_sensor;
    return *spawn_call_router(sys, per_sensor, source, writer, &pool);
  };
  return sys.spawn(mirror_ingest, std::move(cfg), std::move(writer));
}

caf::expected<hep_listener_actor> spawn_hep_listener(caf::actor_system& sys, const config::settings& s,
                                                     call_router_actor router) {
  std::string error;
  auto sockets = open_hep_sockets(s.hep_bind, static_cast<uint16_t>(s.hep_bind_port), s.hep_bind_udp,
                                  s.hep_bind_tcp, error);
  if (!sockets)
    return make_failure(error);
  hep_listener_config cfg;
  const capture_config capture = capture_config_of(s);
  cfg.id_sensor = capture.id_sensor;
  cfg.sip_ports = capture.sip_ports;
  cfg.batch_packets = capture.batch_packets;
  cfg.limits = capture.limits;
  cfg.tcp = capture.tcp;
  cfg.max_clients = s.hep_max_clients;
  cfg.max_message = s.hep_max_message;
  return sys.spawn<caf::detached>(hep_listener, std::move(sockets), std::move(cfg), std::move(router));
}

}  // namespace voxmon::nodes

namespace voxmon::nodes {

// Per-call pcap files: the spool_writer pool (detached: file I/O never blocks a scheduler thread).
spool_pool spawn_spool_writer(caf::actor_system& sys, const config::settings& s) {
  spool_pool pool;
  if (!config::spool_enabled(s))
    return pool;
  pool.index = std::make_shared<core::spool_index>(s.spooldir);
  std::string error;
  if (!pool.index->load(error))
    std::cerr << "voxmon: spool: " << error << " (call pcaps will not be saved)\n";
  spool_writer_config cfg;
  cfg.spooldir = s.spooldir;
  cfg.compression = core::parse_pcap_compression(s.pcap_compress).value_or(core::pcap_compression::none);
  cfg.max_bytes = uint64_t{s.maxpoolsize} << 20;
  cfg.max_days = s.maxpooldays;
  cfg.index = pool.index;
  if (const char* d = std::getenv("VOXMON_TEST_SPOOL_WRITE_DELAY_US"))  // tests: a slow disk
    cfg.write_delay_us = static_cast<uint32_t>(std::strtoul(d, nullptr, 10));
  const size_t n = s.spool_writers ? s.spool_writers : 2;
  std::string warning;
  const auto limits = core::raise_open_file_limit(s.openfile_max, warning);
  if (!warning.empty() && s.openfile_max != 0)
    std::cerr << "voxmon: spool: " << warning << '\n';
  if (limits.soft > 0)
    cfg.max_open_files = core::spool_files_per_writer(limits.soft, n);
  for (size_t i = 0; i < n; ++i) {
    cfg.retention = i == 0;
    pool.writers.push_back(sys.spawn<caf::detached>(spool_writer, cfg));
  }
  return pool;
}

spool_report finish_spool(caf::actor_system& sys, const spool_pool& pool) {
  spool_report total;
  caf::scoped_actor self{sys};
  for (const auto& w : pool.writers) {
    self->request(w, caf::infinite, done_atom::value)
      .receive(
        [&](spool_report& r) {
          total.files += r.files;
          total.reopened += r.reopened;
          total.packets += r.packets;
          total.bytes += r.bytes;
          total.dropped += r.dropped;
          total.removed_minutes += r.removed_minutes;
          for (auto& e : r.errors)
            total.errors.push_back(std::move(e));
        },
        [&](caf::error& e) { total.errors.push_back("spool writer: " + error_text(e)); });
    self->send_exit(w, caf::exit_reason::user_shutdown);
  }
  std::string error;
  if (pool.index && !pool.writers.empty() && !pool.index->save(error))
    total.errors.push_back(error);
  return total;
}

}  // namespace voxmon::nodes
