#pragma once
// A call's pcap files fetched from the sensor that saved them, piece by piece: the logic both
// ends share (CAF-free; the messages are in messages/remote_messages.hpp). The central node
// asks for one part of a call (its SIP or its RTP files, as core::find_call_files lists them in
// the sensor's spool) from file 0, byte 0; every answer carries the part's listing (names and
// sizes) and the next piece of at most remote_pcap_piece_bytes. The central node checks that
// each piece is the one it asked for and that the listing did not change meanwhile, and writes
// the files into a directory of its own, where the GUI reads them as it reads its spool.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/net_types.hpp"
#include "core/spool_path.hpp"

namespace voxmon::core {

// One piece: at most 1 MiB, the size of a mirror frame. A message crosses the link as one BASP
// message, and CAF counts a link as dead when nothing complete arrived for 10 s: 1 MiB needs
// about 1 Mbit/s to stay within that, and it keeps both ends' memory per fetch small.
inline constexpr uint32_t remote_pcap_piece_bytes = 1u << 20;
// What a sensor serves for one part of a call, and what the central node fetches for one GUI
// request (remote_pcap_max_mb's default): 256 MiB.
inline constexpr uint64_t remote_pcap_default_max_bytes = uint64_t{256} << 20;

enum class remote_pcap_outcome : uint8_t {
  ok,
  not_found,      // the sensor has no such file (or none of its own: a mirror sender)
  too_large,      // over remote_pcap_max_mb on the sensor or on the central node
  failed,         // unreadable, a bad request, or the files changed while they were fetched
  not_connected,  // central node: the sensor is not joined now
  no_answer,      // central node: the sensor did not answer within the timeout
};

struct remote_file {
  std::string name;   // relative to the sensor's spooldir: "2026-01-31/13/45/SIP/x.pcap"
  uint64_t size = 0;  // bytes
  bool operator==(const remote_file&) const = default;
};

// central node -> sensor: a piece of one file of one part of a call.
struct pcap_piece_request {
  std::string fbasename;
  timestamp_ns calldate = 0;  // 0 = unknown: every minute of the spool index is looked at
  spool_kind part = spool_kind::sip;
  uint32_t file = 0;          // index into the listing
  uint64_t offset = 0;        // first byte
  uint32_t max_bytes = remote_pcap_piece_bytes;  // 0 = the listing only
};

// sensor -> central node: the part's listing and the piece asked for (or why not).
struct pcap_piece {
  remote_pcap_outcome outcome = remote_pcap_outcome::failed;
  std::string error;               // in words, when not ok
  std::vector<remote_file> files;  // the part's files, in find_call_files order
  uint32_t file = 0;
  uint64_t offset = 0;
  std::string bytes;
};

pcap_piece pcap_piece_failure(remote_pcap_outcome outcome, std::string error);

// "256 MiB", "1.5 MiB", "812 bytes".
std::string byte_size_text(uint64_t bytes);

// Sensor side: the piece `r` asks for, read from `spooldir`. `sensor` names this sensor in the
// error texts ("sensor 101"). A part whose files hold more than `max_bytes` is refused
// (too_large), as is a name that is not an fbasename (failed). Never more than
// remote_pcap_piece_bytes per piece, whatever the request says.
pcap_piece read_pcap_piece(const std::filesystem::path& spooldir, std::string_view sensor,
                           const pcap_piece_request& r, uint64_t max_bytes);

// Central side: one part of a call arriving piece by piece into `dir` (as "sip-0.pcap",
// "sip-1.pcap", ...: the names are the central node's, not the sensor's). At most `max_bytes`.
class remote_part_download {
 public:
  // `sensor` names the sensor in the error texts ("sensor 101").
  remote_part_download(std::filesystem::path dir, std::string sensor, std::string fbasename,
                       timestamp_ns calldate, spool_kind part, uint64_t max_bytes);
  // What to ask next; nullopt when the part is complete or failed.
  std::optional<pcap_piece_request> next() const;
  // Takes the answer to next(). false when the download ends in failure (outcome(), error()):
  // the sensor's refusal, or a piece that is not the one asked for, or a listing that changed.
  bool take(const pcap_piece& p);
  // Ends the download with this outcome (no answer, no link).
  void fail(remote_pcap_outcome o, std::string error);

  bool complete() const { return done_ && outcome_ == remote_pcap_outcome::ok; }
  remote_pcap_outcome outcome() const { return outcome_; }
  const std::string& error() const { return error_; }
  const std::vector<remote_file>& listing() const { return listing_; }
  // The local copies, in the listing's order (complete ones only once complete()).
  const std::vector<std::filesystem::path>& paths() const { return paths_; }
  uint64_t bytes() const { return received_; }

 private:
  bool refuse(std::string why);
  bool open_current();
  void advance();  // past every complete file

  std::string what() const;  // "the SIP pcap of call 'x' on sensor 101"

  std::filesystem::path dir_;
  std::string sensor_, fbasename_;
  timestamp_ns calldate_;
  spool_kind part_;
  uint64_t max_bytes_;
  bool listed_ = false, done_ = false;
  std::vector<remote_file> listing_;
  std::vector<std::filesystem::path> paths_;
  std::ofstream out_;
  uint32_t file_ = 0;
  uint64_t offset_ = 0;
  uint64_t received_ = 0;
  remote_pcap_outcome outcome_ = remote_pcap_outcome::ok;
  std::string error_;
};

}  // namespace voxmon::core
