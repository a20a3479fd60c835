#include "actors/uplink_sink.hpp"

#include <caf/io/middleman.hpp>
#include <caf/send.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "core/sensor_auth.hpp"
#include "messages/errors.hpp"
#include "store/cdr_decode.hpp"

namespace voxmon {

namespace {

using clock_type = std::chrono::steady_clock;

std::string state_path(const uplink_options& o) { return o.outbox_path + ".state"; }

}  // namespace

uplink_sink::uplink_sink(caf::actor_system& sys, uplink_options o)
    : sys_(sys), o_(std::move(o)), self_(sys) {
  spool_ = sys.spawn<caf::detached>(spool_server, o_.spool);
  o_.join.spool = spool_;
}

uplink_sink::~uplink_sink() { caf::anon_send_exit(spool_, caf::exit_reason::user_shutdown); }

std::unique_ptr<uplink_sink> uplink_sink::open(caf::actor_system& sys, uplink_options o,
                                               std::string& error) {
  if (o.join.servers.empty()) {
    error = "server_destination is empty: name the central node (host, or host:port)";
    return nullptr;
  }
  std::unique_ptr<uplink_sink> u(new uplink_sink(sys, std::move(o)));
  u->outbox_ = store::cdr_journal::open(u->o_.outbox_path, u->o_.outbox_fsync, error);
  if (!u->outbox_ || !u->load_state(error))
    return nullptr;
  // Count what an earlier run left unacknowledged.
  uint64_t offset = u->acked_offset_, next = 0;
  std::string warning;
  for (;;) {
    auto got = u->outbox_->read(offset, 4096, next, warning);
    if (got.empty())
      break;
    u->status_.pending += got.size();
    offset = next;
  }
  if (!warning.empty())
    std::cerr << "voxmon: warning: outbox " << u->o_.outbox_path << ": " << warning << '\n';
  return u;
}

// "<epoch> <next_seq> <acked_offset>\n"; written to a temporary file, synced, renamed.
bool uplink_sink::load_state(std::string& error) {
  std::ifstream in(state_path(o_));
  if (in) {
    if (!(in >> epoch_ >> next_seq_ >> acked_offset_)) {
      error = "outbox state " + state_path(o_) + " is unreadable: remove it together with " +
              o_.outbox_path + " only if every CDR in it reached the server";
      return false;
    }
    if (acked_offset_ > outbox_->size())  // the outbox was emptied before the state was saved
      acked_offset_ = 0;
    return true;
  }
  epoch_ = core::make_auth_nonce().substr(0, 16);
  next_seq_ = 0;
  acked_offset_ = 0;
  error = save_state();
  return error.empty();
}

std::string uplink_sink::save_state() {
  const std::string path = state_path(o_), tmp = path + ".tmp";
  std::ostringstream text;
  text << epoch_ << ' ' << next_seq_ << ' ' << acked_offset_ << '\n';
  const std::string s = text.str();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return "cannot write " + tmp + ": " + std::strerror(errno);
  const bool ok = ::write(fd, s.data(), s.size()) == static_cast<ssize_t>(s.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0)
    return "cannot write " + path + ": " + std::strerror(errno);
  return {};
}

void uplink_sink::disconnected(const std::string& why) {
  if (status_.connected)
    std::cerr << "voxmon: lost the central node " << status_.server << ": " << why << '\n';
  ingest_.reset();
  status_.connected = false;
  status_.last_error = why;
  backoff_.failed();
}

bool uplink_sink::connect() {
  std::string failures;
  auto joined = join_central_node(sys_, o_.join, tunnels_, caf::actor_cast<caf::actor>(self_), failures);
  if (joined) {
    ingest_ = joined->result.ingest;
    // The proxy of a remote actor dies with its link: a link lost while nothing is uploaded is
    // noticed at the next tick, not at the next upload.
    auto down = std::make_shared<std::atomic<bool>>(false);
    link_down_ = down;
    caf::actor_cast<caf::actor>(*ingest_)->attach_functor([down] { *down = true; });
    reported_unreachable_ = false;
    status_.connected = true;
    status_.server = joined->server;
    status_.last_error.clear();
    backoff_.succeeded();
    std::cerr << "voxmon: joined the central node " << joined->server << " as sensor "
              << o_.join.id_sensor << '\n';
    return true;
  }
  if (!reported_unreachable_)
    std::cerr << "voxmon: cannot join the central node: " << failures << " (retrying)\n";
  reported_unreachable_ = true;
  disconnected(failures);
  return false;
}

bool uplink_sink::upload_pending() {
  while (status_.pending > 0) {
    if (!ingest_ && !connect())
      return false;
    uint64_t next_offset = 0;
    std::string warning;
    auto batch = outbox_->read(acked_offset_, o_.upload_batch, next_offset, warning);
    if (batch.empty()) {  // unreadable bytes: nothing more can be sent from this outbox
      status_.last_error = "outbox " + o_.outbox_path + ": " + warning;
      return false;
    }
    cdr_upload up{o_.join.id_sensor, epoch_, next_seq_, {},
                  o_.capture_dropped ? o_.capture_dropped->load() : 0};
    up.records.reserve(batch.size());
    for (const auto& c : batch)
      up.records.push_back(store::encode_cdr(c));
    std::optional<uint64_t> acked;
    std::string why;
    self_->request(*ingest_, o_.join.request_timeout, upload_atom::value, std::move(up))
      .receive([&](uint64_t next) { acked = next; }, [&](caf::error& e) { why = link_error_message(e); });
    if (!acked || *acked != next_seq_ + batch.size()) {
      disconnected(acked ? "the server acknowledged " + std::to_string(*acked) + " instead of " +
                             std::to_string(next_seq_ + batch.size())
                         : why);
      return false;
    }
    next_seq_ = *acked;
    acked_offset_ = next_offset;
    status_.pending -= batch.size();
    status_.uploaded += batch.size();
    if (status_.pending == 0) {
      if (auto err = outbox_->clear(); !err.empty())
        status_.last_error = err;
      else
        acked_offset_ = 0;
    }
    if (auto err = save_state(); !err.empty()) {
      status_.last_error = err;
      return false;
    }
  }
  return true;
}

std::string uplink_sink::write(std::span<const core::cdr> batch) {
  if (auto err = outbox_->append(batch); !err.empty())
    return "outbox " + o_.outbox_path + ": " + err;
  status_.pending += batch.size();
  retry();
  return {};
}

bool uplink_sink::retry() {
  if (ingest_ && link_down_ && *link_down_)
    disconnected("the link went down");
  if (status_.pending == 0) {
    if (o_.keep_joined && !ingest_ && backoff_.due())
      connect();
    return true;
  }
  if (!ingest_ && !backoff_.due())
    return false;
  return upload_pending();
}

std::string uplink_sink::flush() {
  const auto deadline = clock_type::now() + o_.flush_timeout;
  while (!upload_pending()) {
    if (clock_type::now() >= deadline)
      return std::to_string(status_.pending) + " CDRs not acknowledged by the central node (" +
             status_.last_error + "); they stay in " + o_.outbox_path +
             " and are sent at the next start";
    std::this_thread::sleep_until(std::min(
      deadline, std::max(backoff_.next_attempt(), clock_type::now() + std::chrono::milliseconds(100))));
    backoff_.allow_now();
  }
  return {};
}

}  // namespace voxmon
