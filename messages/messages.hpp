#pragma once
// Every message type of the pipeline.
//
// Packet batches travel as shared pointers to immutable blocks: they only ever move inside one
// node (a mirror sender ships raw frames in its own serialized format), so they are allowed as
// unsafe (local-only) message types. The same holds, for now, for CDRs and run statistics,
// which only cross a node boundary once the remote CDR sink exists (it will add inspect()).
#include <caf/allowed_unsafe_message_type.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "core/call_directory.hpp"
#include "core/delivery_coalescer.hpp"
#include "core/mirror_metrics.hpp"
#include "core/cdr.hpp"
#include "core/packet_batch.hpp"
#include "core/run_stats.hpp"

namespace voxmon {

// A source whose batches the router routes as they come (not merged with other sources').
constexpr uint32_t unmerged_source = UINT32_MAX;

// capture -> call_router: one block of decoded packets.
struct batch_msg {
  core::batch_ptr batch;
  // With several interfaces: which of the router's merged sources (core::source_merge) sent it.
  uint32_t merge_slot = unmerged_source;
};

// call_router -> call: this call's packets of one or more batches, in capture order.
using call_packets = core::pending_packets;

// call_router -> call: the call is over; emit the CDR with this sequence number.
struct close_order {
  core::close_reason reason = core::close_reason::end_of_input;
  uint64_t close_seq = 0;
};

// call -> cdr_writer.
struct cdr_msg {
  uint64_t source = 0;      // the router that closed the call
  uint64_t close_seq = 0;   // CDRs of one source are written in this order
  core::cdr record;
};

// capture -> call_router at the end of input.
struct input_end {
  core::run_stats stats;    // capture counters
  std::string error;        // why reading stopped early (truncated file ...), or empty
  bool sighup = false;      // the daemon is stopping: open calls get the CDR's sighup mark
  uint32_t merge_slot = unmerged_source;  // as in batch_msg
};

// node -> call_router on SIGHUP: what can change while calls are open.
struct router_reload {
  core::call_timeouts timeouts;
  bool savesip = false, savertp = false, savertcp = false;  // only with a spool pool
  bool rtp_header_only = false;                              // savertp = header
};

// call_router -> cdr_writer: every call of `source` has been closed.
struct source_done {
  uint64_t source = 0;
  uint64_t total_cdrs = 0;
  core::run_stats stats;
  std::string error;
};

// A row of the call table printed at the end of a run.
struct call_row {
  std::string calldate, caller, called, response, whohanged;
  double duration = 0;
};

// cdr_writer -> the node: the whole run, once every source is done.
struct run_report {
  core::run_stats stats;
  std::vector<call_row> rows;      // the first table_rows calls
  std::vector<std::string> errors; // input and sink errors
  std::vector<std::string> kept_back;  // sinks still holding CDRs for later (journal, outbox)
  uint64_t cdrs_in_journal = 0;    // of which CDRs left in the MySQL journal (server unreachable)
  std::string journal_path;        // where they are
};

// A frame to save, resolved by the call actor (which has just read the packet) to its bytes in
// one of the spool message's batches: the writer reads no batch structure, only these records
// in order and the bytes they point to.
struct spool_frame {
  core::timestamp_ns ts = 0;
  const uint8_t* data = nullptr;  // in one of spool_packets::batches, which keep it alive
  uint32_t caplen = 0;            // bytes to write (cut after the RTP header with savertp = header)
  uint32_t wirelen = 0;
};

// call -> spool_writer: the frames of one call message to save (one spool message per call
// message, only when saving is on). They point into the message's shared batches.
struct spool_packets {
  std::vector<core::batch_ptr> batches;  // the call message's batches: they hold the frames
  uint64_t call_uid = 0;           // the call actor's id: its files stay open until spool_close
  std::string fbasename;           // the call's first message only (the writer keeps it)
  core::timestamp_ns calldate = 0; // picks the minute directory (first message only)
  int link_type = 1;               // of the first frame listed (a file is opened with it)
  std::vector<spool_frame> sip;    // for SIP/<fbasename>.pcap, in capture order
  std::vector<spool_frame> rtp;    // for RTP/<fbasename>.pcap (RTP, and RTCP with savertcp)
};

// call -> spool_writer: the call is over, close its files.
struct spool_close {
  uint64_t call_uid = 0;
};

// spool_writer -> the node, in reply to `done` once every file is closed.
struct spool_report {
  uint64_t files = 0;            // call files opened (each once)
  uint64_t reopened = 0;         // opened again after the writer's open-file share closed them
  uint64_t packets = 0;          // packets written
  uint64_t bytes = 0;            // bytes added to the spool on disk
  uint64_t dropped = 0;          // packets not saved (disk full, permission, ...)
  uint64_t removed_minutes = 0;  // minute directories deleted by retention
  std::vector<std::string> errors;
};

// capture -> call_router -> every open call: the source lost packets (kernel/interface drops
// read from libpcap, or mirror frames lost on a bound). Calls open at `at` get the
// capture-loss flag in their CDR, since which calls the lost packets belonged to is unknown.
struct capture_loss {
  core::timestamp_ns at = 0;     // packet time when the loss was noticed
  uint64_t dropped = 0;          // packets lost since the previous notice
};

// One mirror sender's stream as the receiver sees it (status line, metrics).
using mirror_feed_status = core::mirror_stream_snapshot;

// Live counters a stage reports when asked with `status` (status line, metrics endpoint).
// Counters are totals since start; gauges are the value now.
struct writer_status {
  uint64_t cdrs_written = 0;     // counter: CDRs the store accepted
  uint64_t cdrs_queued = 0;      // gauge: CDRs received and not yet written or journaled
  uint64_t cdrs_journaled = 0;   // gauge: CDRs waiting in the journal for the store
  uint64_t cdrs_dead = 0;        // counter: CDRs the store rejected for good (.dead file)
  uint64_t write_errors = 0;     // counter: failed store writes
};

struct spool_status {
  uint64_t queued_packets = 0;   // gauge: packets received and not yet written
  uint64_t packets = 0;          // counter: packets written
  uint64_t bytes = 0;            // counter: bytes written
  uint64_t dropped = 0;          // counter: packets not saved
  uint64_t open_files = 0;       // gauge
  uint64_t buffer_bytes = 0;     // gauge: memory of the file buffers (whole blocks)
};

struct router_status {
  uint64_t calls_open = 0;       // gauge: calls in progress
  uint64_t calls_closed = 0;     // counter
  uint64_t packets = 0;          // counter: packets routed
  uint64_t bytes = 0;            // counter: wire bytes of those packets
  // counter: packets of several merged interfaces routed before the merge could put them in
  // time order (an interface was max_queued batches ahead of another that stayed silent)
  uint64_t merged_early = 0;
  // The smallest source mark any open call was created at; with no call open, the mark of the
  // last routed batch (a mirror receiver's restart point: nothing before it is needed).
  uint64_t oldest_mark = 0;
};

}  // namespace voxmon

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(voxmon::spool_packets)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(voxmon::spool_close)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(voxmon::spool_report)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(voxmon::batch_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(voxmon::call_packets)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(voxmon::close_order)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(voxmon::cdr_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(voxmon::input_end)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(voxmon::source_done)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(voxmon::run_report)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(voxmon::mirror_feed_status)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<voxmon::mirror_feed_status>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(voxmon::writer_status)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(voxmon::spool_status)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(voxmon::router_status)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(voxmon::router_reload)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(voxmon::capture_loss)
