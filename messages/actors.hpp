#pragma once
// Every typed actor interface of voxmon.
#include <caf/typed_actor.hpp>

#include "messages/atoms.hpp"
#include "messages/messages.hpp"

namespace voxmon {

// Sink of finished CDRs; answers `done` with the run report once `n` sources are done, and
// `status` with its live counters (queue, journal, dead letters) at any time.
// `(sync, source, n)` answers once the first n CDRs of that source are written to every sink
// and flushed (n = max: once the source has finished), with the number written; the source is
// then forgotten if it has finished (a mirror receiver's sensor streams come and go).
using cdr_writer_actor = caf::typed_actor<
  caf::reacts_to<cdr_atom, cdr_msg>,
  caf::reacts_to<done_atom, source_done>,
  caf::reacts_to<flush_atom>,
  caf::replies_to<done_atom, uint32_t>::with<run_report>,
  caf::replies_to<sync_atom, uint64_t, uint64_t>::with<uint64_t>,
  caf::replies_to<status_atom>::with<writer_status>>;

// One call: owns its dialog and streams (a core::call).
using call_actor = caf::typed_actor<
  caf::reacts_to<packets_atom, call_packets>,
  caf::reacts_to<caploss_atom, capture_loss>,
  caf::reacts_to<close_atom, close_order>>;

// Routes batches to calls.
// With several sources (live interfaces, HEP) each sends its own eof; the router closes every
// call after the last one. `tick` moves packet time on while the wire is idle. Several
// interfaces' batches are merged in packet-time order; `progress` (merge slot, time) is an
// idle interface's promise that it brings nothing earlier than that time.
using call_router_actor = caf::typed_actor<
  caf::reacts_to<batch_atom, batch_msg>,
  caf::reacts_to<progress_atom, uint32_t, core::timestamp_ns>,
  caf::reacts_to<caploss_atom, capture_loss>,
  caf::reacts_to<eof_atom, input_end>,
  caf::reacts_to<tick_atom, core::timestamp_ns>,
  caf::reacts_to<reload_atom, router_reload>,
  caf::replies_to<status_atom>::with<router_status>>;

// Reads a source (pcap file) on its own thread and feeds the router.
// `credit` arrives when the last reference to one of its batches is released anywhere in the
// pipeline (router, calls, spool writers), so the batches alive stay bounded.
// `eof` (SIGINT or SIGTERM on an offline run) stops the reading early: the last batch, then eof
// with sighup set, go to the router, as at the end of the file.
using capture_actor =
  caf::typed_actor<caf::reacts_to<read_atom>, caf::reacts_to<credit_atom>, caf::reacts_to<eof_atom>>;

// Receives HEP on UDP and TCP (actors/hep_listener, own thread) and feeds the router like a
// capture (same credit contract); `eof` stops it: last batch and eof go to the router.
using hep_listener_actor =
  caf::typed_actor<caf::reacts_to<read_atom>, caf::reacts_to<credit_atom>, caf::reacts_to<eof_atom>>;

// Captures one network interface (actors/live_capture, own thread) and feeds the router like
// the file capture; `eof` stops it (last batch, then eof with sighup set, to the router);
// `reload` installs a new BPF filter.
using live_capture_actor =
  caf::typed_actor<caf::reacts_to<read_atom>, caf::reacts_to<credit_atom>, caf::reacts_to<eof_atom>,
                   caf::reacts_to<reload_atom, std::string>>;

// Writes per-call pcap files (one of a pool; a call is hashed to one); answers `done` once every
// file is closed, and `status` with its live counters (spool_status).
using spool_writer_actor = caf::typed_actor<
  caf::reacts_to<spool_atom, spool_packets>,
  caf::reacts_to<close_atom, spool_close>,
  caf::reacts_to<retain_atom>,
  caf::replies_to<done_atom>::with<spool_report>,
  caf::replies_to<status_atom>::with<spool_status>>;

// What a call needs to save its packets: its pool member (invalid = saving off) and what to save.
struct spool_link {
  spool_writer_actor writer;
  bool sip = false;
  bool rtp = false;
  bool rtcp = false;
  bool rtp_header_only = false;  // savertp = header: RTP cut after its header (wirelen kept)
};

}  // namespace voxmon
