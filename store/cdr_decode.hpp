#pragma once
// A byte-exact encoding of core::cdr for the CDR journal (MessagePack through nlohmann_json:
// nanosecond times, raw SIP bytes, stream senders, codecs, per-stream quality results, RTCP
// summaries, SRTP, DTMF, the capture-loss flag), and its decoder. Every field of core::cdr is
// carried: tests/system/test_mysql_journal.cpp fails when one is added and not encoded here.
// Encoding 1 (written before the quality fields existed) is still decoded; so are encoding-2
// records written before the per-10-s interval series (an 11th item of each stream's quality).
#include <optional>
#include <string>
#include <string_view>

#include "core/cdr.hpp"

namespace voxmon::store {

std::string encode_cdr(const core::cdr& c);
// nullopt + error on bytes that are not an encoded CDR.
std::optional<core::cdr> decode_cdr(std::string_view bytes, std::string& error);

}  // namespace voxmon::store
