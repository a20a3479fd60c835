#pragma once
// uplink_sink: the CDR sink of a sensor that sends its CDRs to a central node. Every CDR is first
// appended to a local outbox (a store::cdr_journal file, so nothing is lost if the sensor dies),
// then uploaded in order; the server acknowledges a CDR once it is durable there, and only then
// does it leave the outbox. The link (CAF remote actors through core::tls_tunnel, a
// challenge-response on server_password) is made on first use (at start with `keep_joined`)
// and again after any failure, with backoff and jitter, trying the servers in order
// (failover). Runs inside the cdr_writer, which is then detached:
// its calls block.
#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/central_join.hpp"
#include "actors/spool_server.hpp"
#include "core/reconnect_backoff.hpp"
#include "core/tls_tunnel.hpp"
#include "messages/remote_messages.hpp"
#include "store/cdr_journal.hpp"
#include "store/cdr_sink.hpp"

namespace voxmon {

struct uplink_options {
  join_options join;  // servers (failover order), password, sensor id and name, TLS
  std::string outbox_path = "voxmon-cdr.outbox";
  store::fsync_policy outbox_fsync = store::fsync_policy::batch;
  std::chrono::seconds flush_timeout{120};  // how long the end of a run waits for acknowledgements
  size_t upload_batch = 500;
  // The node's capture drops (kernel + interface), reported with every upload; none offline.
  std::shared_ptr<const std::atomic<uint64_t>> capture_dropped;
  // The spool the central node may fetch this sensor's pcaps from (a spool_server lives as long
  // as the sink and is handed to the registry with every join).
  spool_server_config spool;
  // Join at start and again after a lost link even with no CDR to send (a sensor daemon, or
  // stay_joined), so the central node can reach the sensor's spool; otherwise the link is made
  // when CDRs wait.
  bool keep_joined = false;
};

struct uplink_status {
  bool connected = false;
  std::string server;        // the one connected to
  uint64_t uploaded = 0;     // CDRs acknowledged in this run
  uint64_t pending = 0;      // CDRs in the outbox not yet acknowledged
  std::string last_error;
};

class uplink_sink final : public store::cdr_sink {
 public:
  static std::unique_ptr<uplink_sink> open(caf::actor_system& sys, uplink_options o,
                                           std::string& error);
  ~uplink_sink() override;
  std::string write(std::span<const core::cdr> batch) override;
  // Uploads until the outbox is empty or flush_timeout passes; an error text when CDRs remain.
  std::string flush() override;
  std::string name() const override { return "central node"; }
  bool retry() override;  // one upload attempt when the backoff allows; true when nothing waits
  bool has_backlog() const override { return status_.pending > 0; }
  bool wants_ticks() const override { return o_.keep_joined || has_backlog(); }
  const uplink_status& status() const { return status_; }

 private:
  uplink_sink(caf::actor_system& sys, uplink_options o);
  bool connect();                       // joins a server; false with status_.last_error
  bool upload_pending();                // true when the outbox is empty afterwards
  void disconnected(const std::string& why);
  bool load_state(std::string& error);
  std::string save_state();

  caf::actor_system& sys_;
  uplink_options o_;
  caf::scoped_actor self_;
  spool_server_actor spool_;
  std::unique_ptr<store::cdr_journal> outbox_;
  std::string epoch_;
  uint64_t next_seq_ = 0;        // sequence number of the first unacknowledged CDR
  uint64_t acked_offset_ = 0;    // outbox byte offset of that CDR
  std::optional<cdr_ingest_actor> ingest_;
  // Set (from CAF's thread) when the joined server's ingest proxy dies: the link went down.
  std::shared_ptr<std::atomic<bool>> link_down_;
  tunnel_map tunnels_;  // by server, made on first use
  core::reconnect_backoff backoff_;
  uplink_status status_;
  bool reported_unreachable_ = false;  // one log line per outage, not one per retry
};

}  // namespace voxmon
