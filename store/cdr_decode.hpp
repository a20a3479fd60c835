#pragma once
// A byte-exact encoding of core::cdr for the CDR journal (MessagePack through nlohmann_json:
// nanosecond times, raw SIP bytes, stream senders, codecs, DTMF), and its decoder. Not yet
// encoded: the per-stream quality results and RTCP summaries (added to core::cdr by the quality
// work); a replayed CDR has them empty.
#include <optional>
#include <string>
#include <string_view>

#include "core/cdr.hpp"

namespace voxmon::store {

std::string encode_cdr(const core::cdr& c);
// nullopt + error on bytes that are not an encoded CDR.
std::optional<core::cdr> decode_cdr(std::string_view bytes, std::string& error);

}  // namespace voxmon::store
