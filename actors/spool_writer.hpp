#pragma once
// spool_writer: one member of the pool that writes per-call pcap files
// (spooldir/YYYY-MM-DD/HH/MM/SIP|RTP/<fbasename>.pcap[.gz]). A call is hashed to one member by
// its fbasename. Frames are copied out of the shared batches into per-file buffers at once (the
// batches are released), buffers are written when they reach 64 KB, the fullest ones when all
// buffers together exceed `max_buffered` (until half of it is left), and when the call closes.
// The buffers are chains of 8 KB blocks from the member's own pool, so their memory is the bytes
// pending plus less than one block per open file (`spool_status::buffer_bytes`).
// A failing disk (full, read-only, no permission) is logged to stderr and its packets are
// counted as dropped; the analysis is not affected. Member 0 also runs the retention check
// (maxpoolsize / maxpooldays) periodically.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "core/pcap_writer.hpp"
#include "core/spool_index.hpp"
#include "messages/actors.hpp"

namespace voxmon {

struct spool_writer_config {
  std::filesystem::path spooldir = "spool";
  core::pcap_compression compression = core::pcap_compression::none;
  uint64_t max_bytes = 0;           // maxpoolsize in bytes; 0 = no limit
  uint32_t max_days = 0;            // maxpooldays; 0 = no limit
  size_t max_open_files = 256;      // per member; the least recently used file is closed beyond
  size_t max_buffered = 8u << 20;   // bytes pending in all buffers of one member
  bool retention = false;           // this member enforces retention (member 0)
  std::chrono::seconds retention_interval{60};
  std::shared_ptr<core::spool_index> index;  // shared by the pool
  uint32_t write_delay_us = 0;      // tests only: a slow disk (VOXMON_TEST_SPOOL_WRITE_DELAY_US)
  // After a spool message that left the mailbox empty, the writer sleeps this long before it
  // looks again (0: never): messages sent meanwhile are queued without waking its thread (a
  // wake-up per message cost more than the saving's copies at 500 calls at once).
  std::chrono::microseconds nap{1000};
};

struct spool_open_file {
  std::unique_ptr<core::pcap_file> file;
  std::string minute;
  uint64_t last_use = 0;
  uint32_t users = 0;  // calls writing to it (normally 1)
};

// A call this member writes for: its file names, learnt from its first message.
struct spool_call {
  std::string fbasename;
  core::timestamp_ns calldate = 0;
  std::string paths[2];        // by spool_kind; empty until the call has packets of that kind
  uint8_t users_of[2] = {0, 0};  // 1 when the call counts among the file's users
  bool opened_of[2] = {false, false};  // opened before (a later open is a reopen)
};

struct spool_writer_state {
  std::shared_ptr<core::chunk_pool> chunks;  // blocks of the open files' buffers
  std::unordered_map<std::string, spool_open_file> files;  // by path
  std::unordered_map<uint64_t, spool_call> calls;          // by call uid
  std::unordered_set<std::string> dead;  // paths that failed: dropped until their call closes
  size_t buffered = 0;
  uint64_t use_clock = 0;
  uint32_t logged_errors = 0;
  spool_report report;  // packets/dropped: of closed files (open files count their own)
  static inline const char* name = "spool_writer";
};

spool_writer_actor::behavior_type
spool_writer(spool_writer_actor::stateful_pointer<spool_writer_state> self, spool_writer_config cfg);

// Adds routed packet `rp` of `b` to `out` as the call actor's spool selection (SIP to sip, RTP
// and RTCP to rtp, as `link` asks), resolved to its frame: the earlier fragments of a reassembled
// datagram first, RTP cut after its header with `link.rtp_header_only`. A frame just listed is
// not listed again (several SIP messages in one TCP segment). Media packets that are not
// RTP-shaped (keep-alives, STUN, ZRTP on the media port) are not saved.
void spool_select(const spool_link& link, const core::packet_batch& b,
                  const core::routed_packet& rp, spool_packets& out);

// The pool member of a call.
const spool_writer_actor& spool_pick(const std::vector<spool_writer_actor>& pool,
                                     const std::string& fbasename);

}  // namespace voxmon
