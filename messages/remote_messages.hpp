#pragma once
// The messages that cross node boundaries (sensor <-> central node), each with its inspect()
// so CAF can serialize it, and the typed interfaces of the central node's published actors.
// CDRs travel as their journal encoding (store::encode_cdr): one way to turn a CDR into bytes.
#include <caf/actor.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/typed_actor.hpp>

#include <caf/deserializer.hpp>
#include <caf/serializer.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/remote_pcap.hpp"
#include "messages/atoms.hpp"

// The pieces of a call's pcap fetched from a sensor (core/remote_pcap.hpp) cross the link as
// they are: their inspect() lives here, beside CAF, in core's namespace for argument-dependent
// lookup.
namespace voxmon::core {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, remote_file& x) {
  return f(caf::meta::type_name("remote_file"), x.name, x.size);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pcap_piece_request& x) {
  return f(caf::meta::type_name("pcap_piece_request"), x.fbasename, x.calldate, x.part, x.file,
           x.offset, x.max_bytes);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pcap_piece& x) {
  return f(caf::meta::type_name("pcap_piece"), x.outcome, x.error, x.files, x.file, x.offset, x.bytes);
}

}  // namespace voxmon::core

namespace voxmon {

using join_atom = caf::atom_constant<caf::atom("join")>;      // sensor -> registry: hello
using auth_atom = caf::atom_constant<caf::atom("auth")>;      // sensor -> registry: proof
using upload_atom = caf::atom_constant<caf::atom("upload")>;  // sensor -> ingest: CDRs
using accept_atom = caf::atom_constant<caf::atom("accept")>;  // registry -> ingest: sensor joined
using heard_atom = caf::atom_constant<caf::atom("heard")>;    // ingest -> registry: CDRs stored
using mirror_atom = caf::atom_constant<caf::atom("mirror")>;  // mirror sender -> receiver: frame
using fetch_atom = caf::atom_constant<caf::atom("fetch")>;    // central -> sensor: a pcap piece

// A CDR sensor's spool as its central node reaches it (actors/spool_server): one piece of a
// call's SIP or RTP files per request (core::read_pcap_piece), or why not.
using spool_server_actor =
  caf::typed_actor<caf::replies_to<fetch_atom, core::pcap_piece_request>::with<core::pcap_piece>>;

// sensor -> registry: who is joining.
struct sensor_hello {
  uint32_t id_sensor = 0;
  std::string name;
  std::string version;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, sensor_hello& x) {
  return f(caf::meta::type_name("sensor_hello"), x.id_sensor, x.name, x.version);
}

// sensor -> registry: the answer to the nonce (core/sensor_auth), and an actor of the sensor
// that lives as long as its link, so the server notices when the sensor goes away.
// `spool`: where the central node fetches the pcaps this sensor saved (a CDR sensor; none for a
// mirror sender, whose calls' pcaps the central node saves itself).
struct auth_proof {
  uint32_t id_sensor = 0;
  std::string name;
  std::string nonce;
  std::string proof;
  caf::actor presence;
  spool_server_actor spool;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, auth_proof& x) {
  return f(caf::meta::type_name("auth_proof"), x.id_sensor, x.name, x.nonce, x.proof, x.presence,
           x.spool);
}

// sensor -> ingest: CDRs number first_seq, first_seq + 1, ... of this sensor, each encoded by
// store::encode_cdr. The reply is the sequence number the server expects next (every CDR
// before it is durable on the server: in its database or its journal).
// `epoch` names the sensor's outbox: a new outbox starts numbering at 0 again under a new epoch,
// so the server never mistakes its CDRs for ones it already has.
struct cdr_upload {
  uint32_t id_sensor = 0;
  std::string epoch;
  uint64_t first_seq = 0;
  std::vector<std::string> records;
  uint64_t capture_dropped = 0;  // the sensor's capture drops (kernel + interface) since it started
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cdr_upload& x) {
  return f(caf::meta::type_name("cdr_upload"), x.id_sensor, x.epoch, x.first_seq, x.records,
           x.capture_dropped);
}

// Stores CDRs uploaded by joined sensors.
using cdr_ingest_actor = caf::typed_actor<
  caf::replies_to<upload_atom, cdr_upload>::with<uint64_t>,
  caf::reacts_to<accept_atom, uint32_t>>;

// mirror sender -> receiver: one frame of raw packets (core/mirror_frame: Snappy-compressed
// records). Frames of one sender stream (`epoch`: a new sender process starts a new stream)
// are numbered from 0. `lost_*` are the sender's totals, when this frame was made, of frames
// (and their packets) it had to drop because its buffer was full: a rise means packets were
// lost just before this frame, and the receiver flags the calls open at that point.
// A frame with no packets only moves packet time on (`tick`: the sender's idle wire).
// A frame's records as they cross the link. The sender shares them with its buffer, so they are
// not copied before CAF writes them to the wire (as a string); the receiver reads its own.
struct frame_payload {
  std::shared_ptr<const std::string> bytes;
  size_t offset = 0;  // the records start here (the sender's buffer keeps a header before them)
  std::string_view view() const {
    return bytes ? std::string_view(*bytes).substr(offset) : std::string_view();
  }
  size_t size() const { return view().size(); }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, frame_payload& x) {
  if constexpr (std::is_base_of_v<caf::serializer, Inspector>) {  // as a std::string is written
    const std::string_view v = x.view();
    size_t n = v.size();
    if (auto err = f.begin_sequence(n))
      return err;
    if (auto err = f.apply_raw(n, const_cast<char*>(v.data())))  // only read
      return err;
    return f.end_sequence();
  } else if constexpr (std::is_base_of_v<caf::deserializer, Inspector>) {
    auto bytes = std::make_shared<std::string>();
    if (auto err = f(*bytes))
      return err;
    x.bytes = std::move(bytes);
    x.offset = 0;
    return caf::error{};
  } else {  // to_string
    size_t n = x.size();
    return f(caf::meta::type_name("frame_payload"), n);
  }
}

struct mirror_frame_msg {
  uint32_t id_sensor = 0;
  std::string epoch;
  uint64_t seq = 0;
  int32_t link_type = 1;
  uint32_t packets = 0;
  uint32_t raw_bytes = 0;
  int64_t tick = 0;
  uint64_t lost_frames = 0;
  uint64_t lost_packets = 0;
  bool compressed = true;  // this frame's records: Snappy's block, or as they are (core/mirror_frame)
  frame_payload payload;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, mirror_frame_msg& x) {
  return f(caf::meta::type_name("mirror_frame_msg"), x.id_sensor, x.epoch, x.seq, x.link_type,
           x.packets, x.raw_bytes, x.tick, x.lost_frames, x.lost_packets, x.compressed, x.payload);
}

// mirror sender -> receiver: the sender's input ended after frame `end_seq - 1`; the receiver
// closes the sensor's open calls as at the end of a file and answers once their CDRs are stored.
struct mirror_end {
  uint32_t id_sensor = 0;
  std::string epoch;
  uint64_t end_seq = 0;
  bool sighup = false;  // the sender was stopped (SIGTERM) rather than reaching a file's end
  uint64_t lost_frames = 0;   // the sender's final totals (as in mirror_frame_msg)
  uint64_t lost_packets = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, mirror_end& x) {
  return f(caf::meta::type_name("mirror_end"), x.id_sensor, x.epoch, x.end_seq, x.sighup,
           x.lost_frames, x.lost_packets);
}

// receiver -> mirror sender, the answer to every frame and to the end: frames below
// `delivered` were processed; frames below `durable` are no longer needed by any open call.
struct mirror_ack {
  uint64_t delivered = 0;
  uint64_t durable = 0;
  uint64_t duplicates = 0;  // frames received again (after a reconnect) and skipped
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, mirror_ack& x) {
  return f(caf::meta::type_name("mirror_ack"), x.delivered, x.durable, x.duplicates);
}

// The receiver's door for mirror senders (one per node; each sensor gets its own pipeline).
using mirror_ingest_actor = caf::typed_actor<
  caf::replies_to<mirror_atom, mirror_frame_msg>::with<mirror_ack>,
  caf::replies_to<eof_atom, mirror_end>::with<mirror_ack>,
  caf::reacts_to<accept_atom, uint32_t>>;

// registry -> sensor: the outcome of a join.
struct join_result {
  bool accepted = false;
  std::string reason;          // why not, in words a user can act on
  cdr_ingest_actor ingest;     // where to upload CDRs when accepted
  mirror_ingest_actor mirror;  // where to stream packets (packetbuffer_sender = yes)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, join_result& x) {
  return f(caf::meta::type_name("join_result"), x.accepted, x.reason, x.ingest, x.mirror);
}

// One row of `voxmon status --server`: what the central node knows of a sensor.
struct sensor_info {
  uint32_t id_sensor = 0;
  std::string name;
  std::string address;        // host the link comes from
  std::string version;
  int64_t joined_ms = 0;      // Unix time in milliseconds
  int64_t last_heard_ms = 0;
  uint64_t cdrs = 0;          // CDRs stored for this sensor since the server started
  double cdr_rate = 0;        // CDRs per second over the last minute
  bool up = false;
  bool mirror = false;        // a mirror sender (its packets are processed here)
  uint64_t mirror_packets = 0;  // mirror sender: packets received from it
  uint64_t dropped = 0;       // packets the sensor lost: capture drops, or a mirror sender's full buffer
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, sensor_info& x) {
  return f(caf::meta::type_name("sensor_info"), x.id_sensor, x.name, x.address, x.version,
           x.joined_ms, x.last_heard_ms, x.cdrs, x.cdr_rate, x.up, x.mirror, x.mirror_packets,
           x.dropped);
}

// The central node's front door. A status request carries a proof too (id 0, name "status").
using sensor_registry_actor = caf::typed_actor<
  caf::replies_to<join_atom, sensor_hello>::with<std::string>,  // -> nonce
  caf::replies_to<auth_atom, auth_proof>::with<join_result>,
  caf::replies_to<status_atom, auth_proof>::with<std::vector<sensor_info>>,
  caf::reacts_to<heard_atom, uint32_t, uint64_t, uint64_t>>;  // sensor, CDRs stored, its drops

// Registers every type above with an actor system config (both ends must).
void add_remote_message_types(caf::actor_system_config& cfg);

}  // namespace voxmon
