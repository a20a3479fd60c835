// voxmon-gen: writes a pcap of synthetic SIP/RTP calls and their exact ground truth (JSON
// Lines, one CDR-shaped object per call). docs/GENERATOR.md describes options and semantics.
#include <boost/program_options.hpp>

#include <cctype>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "tools/gen/gen_options.hpp"
#include "tools/gen/pcap_output.hpp"
#include "tools/gen/truth.hpp"

namespace po = boost::program_options;
using namespace voxmon::gen;

namespace {

[[noreturn]] void fail(const std::string& msg) { throw std::invalid_argument(msg); }

bool iequals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// "name=weight,name=weight": names not listed get weight 0.
template <size_t N, typename NameOf>
std::array<double, N> parse_weights(const std::string& opt, const std::string& spec, NameOf name_of) {
  std::array<double, N> w{};
  std::stringstream ss(spec);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const auto eq = item.find('=');
    if (eq == std::string::npos) fail("--" + opt + ": expected name=weight, got '" + item + "'");
    const std::string name = item.substr(0, eq);
    size_t i = 0;
    while (i < N && !iequals(name, name_of(i))) ++i;
    if (i == N) fail("--" + opt + ": unknown name '" + name + "'");
    double v = 0;
    try {
      size_t used = 0;
      v = std::stod(item.substr(eq + 1), &used);
      if (used != item.size() - eq - 1) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      fail("--" + opt + ": bad weight in '" + item + "'");
    }
    if (!(v >= 0)) fail("--" + opt + ": weights must be >= 0");
    w[i] = v;
  }
  double total = 0;
  for (double v : w) total += v;
  if (!(total > 0)) fail("--" + opt + ": at least one weight must be > 0");
  return w;
}

int64_t parse_start(const std::string& s) {
  std::tm tm{};
  int y, mo, d, h, mi, se;
  char tail;
  if (std::sscanf(s.c_str(), "%d-%d-%d %d:%d:%d%c", &y, &mo, &d, &h, &mi, &se, &tail) != 6 ||
      y < 1970 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 ||
      h < 0 || mi < 0 || se < 0)
    fail("--start: expected \"YYYY-MM-DD HH:MM:SS\" (UTC), got '" + s + "'");
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  return static_cast<int64_t>(timegm(&tm)) * 1'000'000'000;
}

}  // namespace

int main(int argc, char** argv) {
  gen_options o;
  std::string start = "2026-01-01 00:00:00", outcomes = "answered=70,busy=10,declined=5,cancel=5,noanswer=5,unanswered=5";
  std::string codecs = "PCMU=1,PCMA=1,G722=1,G729=1,opus=1", link = "ethernet", dist = "normal";
  std::string precision = "nano";
  int vlan = -1;
  std::string burst, tunnel = "none", transport = "udp", segments = "whole", payload = "pattern";
  po::options_description desc(
      "voxmon-gen: synthetic SIP/RTP capture with exact ground truth (docs/GENERATOR.md)\n"
      "Usage: voxmon-gen -o FILE.pcap [options]\nOptions");
  desc.add_options()
      ("help,h", "show this help")
      ("output,o", po::value(&o.output), "pcap file to write (required)")
      ("truth", po::value(&o.truth), "truth JSON Lines file (default: OUTPUT.truth.jsonl)")
      ("sample", "small demo capture: 20 calls, every outcome and codec, 1% loss, 3 ms jitter, "
                 "~1.5 min (explicit options still win)")
      ("seed", po::value(&o.seed)->default_value(1), "random seed; same seed, same files")
      ("calls", po::value(&o.calls)->default_value(100), "number of call attempts")
      ("cps", po::value(&o.cps)->default_value(1.0), "call attempts per second (Poisson arrivals)")
      ("concurrency", po::value(&o.concurrency), "instead of --cps: keep N calls running, back to back")
      ("duration-mean", po::value(&o.duration_mean)->default_value(30), "mean talk time of answered calls, s")
      ("duration-min", po::value<double>(), "shortest talk time, s (default mean/2)")
      ("duration-max", po::value<double>(), "longest talk time, s (default 2*mean-min); uniform in [min,max]")
      ("start", po::value(&start)->default_value(start), "time of the first call, \"YYYY-MM-DD HH:MM:SS\" UTC")
      ("outcomes", po::value(&outcomes)->default_value(outcomes),
       "weights of answered, busy (486), declined (603), cancel (487), noanswer (480/408), "
       "unanswered (INVITE retransmissions, no response), redirect (302, then answered by the "
       "target), forked (two 180s with different To tags, one 200)")
      ("codecs", po::value(&codecs)->default_value(codecs), "weights of PCMU, PCMA, G722, G729, opus")
      ("exact-mix", "outcomes and codecs in exact proportions (shuffled) instead of independent draws")
      ("loss", po::value(&o.loss)->default_value(0.0), "RTP loss probability per packet and direction, 0..1")
      ("jitter", po::value(&o.jitter_ms)->default_value(0.0), "RTP delay jitter scale, ms (reorders packets)")
      ("jitter-dist", po::value(&dist)->default_value(dist), "jitter delay: normal (|N(0,MS)|) or exp (mean MS)")
      ("vlan", po::value(&vlan), "802.1Q VLAN id on every frame (0..4095)")
      ("ipip", "wrap every packet in IPv4 192.0.2.1 -> 192.0.2.2 (proto 4; 41 for IPv6 inside)")
      ("ipv6", "SIP and RTP over IPv6 (2001:db8:1::/2001:db8:2::)")
      ("fragment-sip", "pad INVITEs beyond 1500 bytes: IPv4 fragments or IPv6 fragment headers")
      ("link", po::value(&link)->default_value(link), "link layer: ethernet or sll (Linux cooked v1)")
      ("id-sensor", po::value(&o.id_sensor)->default_value(0), "id_sensor written in the truth")
      ("precision", po::value(&precision)->default_value(precision),
       "pcap timestamps: nano, or micro (all times then whole microseconds)")
      ("reinvite", po::value(&o.reinvite)->default_value(0.0), "share of answered calls with hold/unhold re-INVITEs")
      ("dtmf", po::value(&o.dtmf)->default_value(0.0), "share of streams with one RFC 4733 DTMF event (PT 101)")
      ("cn", po::value(&o.cn)->default_value(0.0), "share of 8 kHz streams with a silence sent as comfort noise (PT 13)")
      ("dup", po::value(&o.dup)->default_value(0.0), "probability that an RTP packet is captured twice")
      ("burst-loss", po::value(&burst), "Gilbert-Elliott loss P,R: P(good->bad), P(bad->good); every packet lost in bad")
      ("ssrc-change", po::value(&o.ssrc_change)->default_value(0.0), "share of streams whose SSRC changes mid-call")
      ("one-way", po::value(&o.one_way)->default_value(0.0), "share of answered calls where the callee sends no RTP")
      ("orphan-rtp", po::value(&o.orphan)->default_value(0.0), "share of calls with an extra RTP stream no SIP announces")
      ("hold-open", "answered calls send no BYE: still open when the capture ends")
      ("rtcp", "RTCP SR + report block + SDES every 5 s from each sending party")
      ("transport", po::value(&transport)->default_value(transport), "SIP transport: udp or tcp")
      ("tcp-segments", po::value(&segments)->default_value(segments),
       "SIP over TCP: whole (one message per segment), split (messages cut across segments), "
       "coalesce (100 Trying shares a segment with the next message), mixed (both)")
      ("tunnel", po::value(&tunnel)->default_value(tunnel), "outer IPv4 tunnel: none, gre, erspan (type II), vxlan, l2tpv3")
      ("pcapng", "write pcapng (SHB, IDB with if_tsresol, EPB) instead of pcap")
      ("payload", po::value(&payload)->default_value(payload),
       "RTP payload bytes: pattern (a filler that compresses well) or noise (pseudo-random, "
       "like coded speech, which compresses hardly at all)")
      ("quiet,q", "no summary on stderr");
  try {
    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
    if (vm.count("help")) {
      std::cout << desc << "\n";
      return 0;
    }
    auto given = [&](const char* name) { return vm.count(name) && !vm[name].defaulted(); };
    if (vm.count("sample")) {  // defaults of the demo capture; explicit options override
      if (!given("calls")) o.calls = 20;
      if (!given("cps") && !given("concurrency")) o.cps = 0.4;
      if (!given("duration-mean")) o.duration_mean = 25;
      if (!given("outcomes")) outcomes = "answered=10,busy=2,declined=2,cancel=2,noanswer=2,unanswered=2";
      if (!given("loss")) o.loss = 0.01;
      if (!given("jitter")) o.jitter_ms = 3;
      o.exact_mix = true;
    }
    if (o.output.empty()) fail("--output is required (see --help)");
    if (o.truth.empty()) o.truth = o.output + ".truth.jsonl";
    if (given("concurrency") && given("cps")) fail("give --cps or --concurrency, not both");
    if (vm.count("concurrency") && o.concurrency == 0) fail("--concurrency must be > 0");
    if (!(o.cps > 0) || o.cps > 1e6) fail("--cps must be in (0, 1e6]");
    if (o.calls > 0xFFFFFFF0ULL) fail("--calls is too large");
    if (!(o.duration_mean >= 0)) fail("--duration-mean must be >= 0");
    o.duration_min = vm.count("duration-min") ? vm["duration-min"].as<double>() : o.duration_mean / 2;
    o.duration_max = vm.count("duration-max") ? vm["duration-max"].as<double>()
                                              : 2 * o.duration_mean - o.duration_min;
    if (!vm.count("duration-min") && vm.count("duration-max"))
      o.duration_min = std::max(0.0, 2 * o.duration_mean - o.duration_max);
    if (!(o.duration_min >= 0) || !(o.duration_max >= o.duration_min) || o.duration_max > 86400)
      fail("talk time needs 0 <= --duration-min <= --duration-max <= 86400");
    o.start_ns = parse_start(start);
    o.outcome_weights = parse_weights<8>("outcomes", outcomes, [](size_t i) { return std::string(outcome_names[i]); });
    o.codec_weights = parse_weights<5>("codecs", codecs, [](size_t i) { return std::string(codec_table[i].name); });
    if (vm.count("exact-mix")) o.exact_mix = true;
    if (!(o.loss >= 0 && o.loss <= 1)) fail("--loss must be in [0, 1]");
    if (!(o.jitter_ms >= 0 && o.jitter_ms <= 10000)) fail("--jitter must be in [0, 10000] ms");
    if (dist == "normal") o.jitter_kind = jitter_dist::normal;
    else if (dist == "exp" || dist == "exponential") o.jitter_kind = jitter_dist::exponential;
    else fail("--jitter-dist must be normal or exp");
    if (vm.count("vlan")) {
      if (vlan < 0 || vlan > 4095) fail("--vlan must be in 0..4095");
      o.vlan = static_cast<uint16_t>(vlan);
    }
    o.ipip = vm.count("ipip") > 0;
    o.ipv6 = vm.count("ipv6") > 0;
    o.fragment_sip = vm.count("fragment-sip") > 0;
    if (link == "ethernet") o.link = link_kind::ethernet;
    else if (link == "sll") o.link = link_kind::sll;
    else fail("--link must be ethernet or sll");
    if (precision == "nano") o.quantum_ns = 1;
    else if (precision == "micro") o.quantum_ns = 1000;
    else fail("--precision must be nano or micro");
    o.quiet = vm.count("quiet") > 0;
    for (auto [name, v] : {std::pair{"reinvite", o.reinvite}, {"dtmf", o.dtmf}, {"cn", o.cn}, {"dup", o.dup},
                           {"ssrc-change", o.ssrc_change}, {"one-way", o.one_way}, {"orphan-rtp", o.orphan}})
      if (!(v >= 0 && v <= 1)) fail(std::string("--") + name + " must be in [0, 1]");
    if (!burst.empty()) {
      char tail;
      if (std::sscanf(burst.c_str(), "%lf,%lf%c", &o.ge_p, &o.ge_r, &tail) != 2 || !(o.ge_p >= 0 && o.ge_p <= 1) ||
          !(o.ge_r > 0 && o.ge_r <= 1))
        fail("--burst-loss: expected P,R with 0 <= P <= 1 and 0 < R <= 1");
    }
    o.hold_open = vm.count("hold-open") > 0;
    o.rtcp = vm.count("rtcp") > 0;
    o.pcapng = vm.count("pcapng") > 0;
    if (payload == "pattern") o.noise_payload = false;
    else if (payload == "noise") o.noise_payload = true;
    else fail("--payload must be pattern or noise");
    if (transport == "udp") o.tcp = false;
    else if (transport == "tcp") o.tcp = true;
    else fail("--transport must be udp or tcp");
    if (segments == "whole") o.tcp_segments = tcp_mode::whole;
    else if (segments == "split") o.tcp_segments = tcp_mode::split;
    else if (segments == "coalesce") o.tcp_segments = tcp_mode::coalesce;
    else if (segments == "mixed") o.tcp_segments = tcp_mode::mixed;
    else fail("--tcp-segments must be whole, split, coalesce or mixed");
    if (tunnel == "none") o.tunnel = tunnel_kind::none;
    else if (tunnel == "gre") o.tunnel = tunnel_kind::gre;
    else if (tunnel == "erspan") o.tunnel = tunnel_kind::erspan;
    else if (tunnel == "vxlan") o.tunnel = tunnel_kind::vxlan;
    else if (tunnel == "l2tpv3") o.tunnel = tunnel_kind::l2tpv3;
    else fail("--tunnel must be none, gre, erspan, vxlan or l2tpv3");
    if (o.tunnel != tunnel_kind::none && o.ipip) fail("--ipip and --tunnel exclude each other");
  } catch (const std::exception& e) {
    std::cerr << "voxmon-gen: " << e.what() << "\n";
    return 2;
  }

  gen_summary sum;
  if (!generate(o, sum)) return 1;
  if (!o.quiet && sum.packets == 0)
    std::fprintf(stderr, "voxmon-gen: no calls, empty capture %s\n", o.output.c_str());
  else if (!o.quiet)
    std::fprintf(stderr,
                 "voxmon-gen: %llu calls, %llu packets, %.1f MB, %s .. %s, at most %llu calls in "
                 "progress\n  pcap:  %s\n  truth: %s\n",
                 static_cast<unsigned long long>(sum.calls), static_cast<unsigned long long>(sum.packets),
                 static_cast<double>(sum.bytes) / 1e6, format_utc(sum.first_ns).c_str(),
                 format_utc(sum.last_ns).c_str(), static_cast<unsigned long long>(sum.max_active),
                 o.output.c_str(), o.truth.c_str());
  return 0;
}
