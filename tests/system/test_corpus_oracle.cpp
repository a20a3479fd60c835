// The whole pipeline (a real voxmon process) on every public capture whose encapsulation the
// offline issue covers, checked against tshark's view of it (../shared/corpus/oracle).
#include <catch2/catch.hpp>

#include <cctype>
#include <cmath>
#include <set>

#include "tests/system/corpus_oracle.hpp"
#include "tests/system/process.hpp"

using namespace voxmon::test;
namespace fs = std::filesystem;

namespace {

const fs::path corpus_dir = VOXMON_CORPUS_DIR;

// Every hop of every path in the manifest's encapsulation column must be one voxmon decodes.
// A hop is named by its leading word: "udp(9060)" is udp, "HEP3 -> SIP (...)" is hep3.
// Tunnels and transports (GRE with PPP, GTP-U, HEP3, SCTP, WebSocket over HTTP upgrade) and SIP
// over TCP reassembled per connection are covered since the tunnels-and-transports issue.
std::string hop_name(std::string hop) {
  hop.erase(0, hop.find_first_not_of(' '));
  size_t n = 0;
  while (n < hop.size() && std::isalnum(static_cast<unsigned char>(hop[n])))
    ++n;
  hop.resize(n);
  for (auto& ch : hop)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return hop;
}

bool covered(const std::string& encapsulation) {
  static const std::set<std::string> known{"eth",  "sll",  "null", "raw",  "vlan", "pppoes",
                                           "ppp",  "ip",   "ipv6", "udp",  "tcp",  "gre",
                                           "gtp",  "hep3", "sctp", "http", "websocket"};
  for (const auto& path : split(encapsulation, ';'))
    for (const auto& hop : split(path, '/'))
      if (!known.count(hop_name(hop)))
        return false;
  return true;
}

std::string ms_utc(const std::string& epoch) {
  // "1480171979.666393000" -> "2016-11-26 14:52:59.666"
  const auto dot = epoch.find('.');
  const time_t secs = std::stoll(epoch.substr(0, dot));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return std::string(buf) + "." + epoch.substr(dot + 1, 3);
}

// Calls whose oracle row cannot be compared as is, with the reason.
struct known_difference {
  const char* capture;
  const char* call_id;
  const char* reason;
};
const known_difference differences[] = {
  {"heplify-sip_ipv6_udp.pcap", "c3eF6f58-363323Cd-8058EB88-10300252@fe80:0:0:0:21a:a0ff:fe07:32e0",
   "the capture's BYE is timestamped 53 years after the INVITE (3215500952 vs 1530001712): on "
   "packet time the call passes absolute_timeout long before, so voxmon closes it with bye=102 "
   "and the late BYE finds no call; tshark has no timeouts"},
};

// RTP streams tshark ties to an SDP that did not come in SIP (so no CDR can carry them).
const known_difference stream_differences[] = {
  {"ws-SIP_CALL_RTP_G711.pcap", "200.57.7.202:30000 -> 200.57.7.196:40362",
   "this stream's SDP travels in MGCP (CRCX, frames 2945-2946), not in SIP: no call owns it"},
};

// Calls whose From/To are tel: URIs: tshark's sip.from.user is empty for them, voxmon takes
// the number as the user (as VoIPmonitor does).
struct tel_user_difference {
  const char* capture;
  const char* call_id;
  const char* caller;
  const char* called;
  const char* reason;
};
const tel_user_difference tel_users[] = {
  {"arkime-gtp-iphone.pcap", "zTHDK1uOm6wLihi3m15pRfSR", "+88270006", "122",
   "From <tel:+88270006> and To <tel:122>: tshark has no user part for tel: URIs"},
};

const tel_user_difference* tel_user_for(const std::string& capture, const std::string& call_id) {
  for (const auto& d : tel_users)
    if (capture == d.capture && call_id == d.call_id)
      return &d;
  return nullptr;
}

const known_difference* stream_difference_for(const std::string& capture, const std::string& flow) {
  for (const auto& d : stream_differences)
    if (capture == d.capture && flow == d.call_id)
      return &d;
  return nullptr;
}

const known_difference* difference_for(const std::string& capture, const std::string& call_id) {
  for (const auto& d : differences)
    if (capture == d.capture && call_id == d.call_id)
      return &d;
  return nullptr;
}

}  // namespace

TEST_CASE("CDRs agree with tshark on the public corpus", "[system][corpus]") {
  if (!fs::exists(corpus_dir / "MANIFEST.tsv")) {
    WARN("skipped: " << corpus_dir << " is absent (the corpus lives outside the repository)");
    return;
  }
  const auto dir = temp_dir("corpus");
  size_t checked_captures = 0, checked_streams = 0, checked_calls = 0;
  for (const auto& entry : read_tsv(corpus_dir / "MANIFEST.tsv")) {
    const std::string name = entry.at("name");
    if (!covered(entry.at("encapsulation_of_sip")))
      continue;
    DYNAMIC_SECTION(name) {
      const auto out = dir / (name + ".jsonl");
      auto r = run(VOXMON_BIN, {"-r", (corpus_dir / "pcaps" / name).string(), "--cdr-jsonl",
                                out.string(), "--db", "none", "--no-progress"}, dir);
      INFO(r.err);
      REQUIRE(r.exit_code == 0);
      const auto cdrs = read_jsonl(out);
      const auto calls = read_tsv(corpus_dir / "oracle" / (name + ".calls.tsv"));
      ++checked_captures;

      // One CDR per INVITE Call-ID.
      std::multiset<std::string> ours, theirs;
      for (const auto& c : cdrs)
        ours.insert(c["callid"].get<std::string>());
      for (const auto& c : calls)
        theirs.insert(c.at("call_id"));
      CHECK(ours == theirs);

      for (const auto& row : calls) {
        const std::string id = row.at("call_id");
        auto it = std::find_if(cdrs.begin(), cdrs.end(),
                               [&](const auto& c) { return c["callid"] == id; });
        if (it == cdrs.end())
          continue;
        const auto& c = *it;
        INFO("call " << id);
        if (auto d = difference_for(name, id)) {
          WARN("not compared with tshark: " << d->reason);
          CHECK(c["bye"] == 102);
          continue;
        }
        ++checked_calls;
        const std::string final_status = row.at("initial_final_status");
        if (final_status == "none")
          CHECK(c["lastSIPresponseNum"].get<int>() < 200);
        else
          CHECK(c["lastSIPresponseNum"].get<int>() == std::stoi(final_status));
        if (auto t = tel_user_for(name, id)) {
          WARN("caller/called not compared with tshark: " << t->reason);
          CHECK(c["caller"] == t->caller);
          CHECK(c["called"] == t->called);
        } else {
          CHECK(c["caller"] == row.at("from_user"));
          CHECK(c["called"] == row.at("to_user"));
        }
        const std::string caller_ip = c["sipcallerip"].get<std::string>();
        const bool v6 = caller_ip.find(':') != std::string::npos;
        CHECK((v6 ? "[" + caller_ip + "]" : caller_ip) + ":" +
                std::to_string(c["sipcallerport"].get<int>()) == row.at("caller_addr"));
        CHECK(c["calldate"] == ms_utc(row.at("first_invite_time")));
        const bool answered = !row.at("answer_time").empty();
        CHECK(c["connect_duration"].is_null() == !answered);
        if (row.at("bye_sender").empty())
          CHECK(c["whohanged"].is_null());
        else
          CHECK(c["whohanged"] == row.at("bye_sender"));
        int expected_bye = 0;
        if (answered)
          expected_bye = row.at("bye_time").empty() ? 1 : row.at("bye_final_status") == "200" ? 3 : 2;
        CHECK(c["bye"] == expected_bye);
      }

      // Every SDP-signalled RTP stream tshark sees, with its counts and jitter.
      const auto streams = read_rtp_streams(corpus_dir / "oracle" / (name + ".rtp_streams_noheur.txt"));
      size_t ours_streams = 0, not_sip = 0;
      for (const auto& c : cdrs)
        ours_streams += c["rtp"].size();
      for (const auto& s : streams) {
        const std::string flow = s.src + ":" + std::to_string(s.sport) + " -> " + s.dst + ":" +
                                 std::to_string(s.dport);
        INFO("stream " << flow << " ssrc " << s.ssrc);
        if (auto d = stream_difference_for(name, flow)) {
          WARN("stream not compared: " << d->reason);
          ++not_sip;
          continue;
        }
        const nlohmann::json* found = nullptr;
        for (const auto& c : cdrs)
          for (const auto& r2 : c["rtp"])
            if (r2["saddr"] == s.src && r2["sport"] == s.sport && r2["daddr"] == s.dst &&
                r2["dport"] == s.dport && r2["ssrc"] == s.ssrc)
              found = &r2;
        REQUIRE(found != nullptr);
        ++checked_streams;
        CHECK((*found)["received"] == s.packets);
        CHECK((*found)["loss"] == s.lost);
        auto near = [](double ours_ms, double tshark_ms) {
          const double d = std::fabs(ours_ms - tshark_ms);
          return d <= 0.1 || d <= 0.01 * std::fabs(tshark_ms);
        };
        CHECK(near((*found)["avgjitter"].get<double>(), s.mean_jitter));
        CHECK(near((*found)["maxjitter"].get<double>(), s.max_jitter));
      }
      CHECK(ours_streams == streams.size() - not_sip);
    }
  }
  INFO("captures " << checked_captures << ", calls " << checked_calls << ", streams " << checked_streams);
  CHECK(checked_captures > 0);
}
