// voxmon-replay: sends the frames of a pcap/pcapng file out of a network interface with their
// original timing (or faster, or as fast as possible), through libpcap's pcap_inject. Made for
// the live-capture system tests (a veth pair in a network namespace) and for lab use.
//
//   voxmon-replay -i IFACE [--multiplier X | --topspeed] [--from S] [--to S] [--quiet] FILE
//
// Exit codes: 0 every frame sent; 1 some frames could not be sent (counted and reported);
// 2 bad usage, unreadable file, unusable interface or link type.
#include <pcap/pcap.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>

#include "tools/replay/replay_clock.hpp"

namespace {

struct options {
  std::string interface;
  std::string file;
  double multiplier = 1.0;  // 2 = twice as fast; 0 = top speed
  voxmon::replay::replay_window window;
  bool quiet = false;
};

void usage(FILE* out) {
  std::fprintf(out,
               "usage: voxmon-replay -i IFACE [--multiplier X | --topspeed] [--from S] [--to S] [--quiet] FILE\n"
               "  -i, --interface IFACE  interface to send the frames out of (needs CAP_NET_RAW)\n"
               "  -x, --multiplier X     replay X times faster than captured (default 1: original timing)\n"
               "  -t, --topspeed         send as fast as possible\n"
               "      --from S, --to S   only the frames captured S seconds or more (--from) / less\n"
               "                         (--to) after the file's first frame\n"
               "  -q, --quiet            no summary line\n");
}

// Returns false with a message on bad usage.
bool parse(int argc, char** argv, options& o, std::string& err) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) {
        err = std::string(name) + " needs a value";
        return nullptr;
      }
      return argv[++i];
    };
    if (a == "-i" || a == "--interface") {
      const char* v = value("--interface");
      if (!v)
        return false;
      o.interface = v;
    } else if (a == "-x" || a == "--multiplier") {
      const char* v = value("--multiplier");
      if (!v)
        return false;
      char* end = nullptr;
      errno = 0;
      o.multiplier = std::strtod(v, &end);
      if (errno || !end || *end || !(o.multiplier > 0) || o.multiplier > 1e6) {
        err = std::string("bad --multiplier '") + v + "' (a number > 0)";
        return false;
      }
    } else if (a == "--from" || a == "--to") {
      const char* v = value(a.c_str());
      if (!v)
        return false;
      char* end = nullptr;
      errno = 0;
      const double sec = std::strtod(v, &end);
      if (errno || !end || *end || !(sec >= 0) || sec > 1e9) {
        err = "bad " + a + " '" + v + "' (seconds >= 0)";
        return false;
      }
      (a == "--from" ? o.window.from_s : o.window.to_s) = sec;
    } else if (a == "-t" || a == "--topspeed") {
      o.multiplier = 0;
    } else if (a == "-q" || a == "--quiet") {
      o.quiet = true;
    } else if (a == "-h" || a == "--help") {
      usage(stdout);
      std::exit(0);
    } else if (!a.empty() && a[0] == '-') {
      err = "unknown option " + a;
      return false;
    } else if (o.file.empty()) {
      o.file = a;
    } else {
      err = "more than one file given";
      return false;
    }
  }
  if (o.interface.empty() || o.file.empty()) {
    err = "an interface (-i) and a file are required";
    return false;
  }
  return true;
}

int64_t monotonic_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

void sleep_until(int64_t when_ns) {
  timespec ts{};
  ts.tv_sec = when_ns / 1'000'000'000;
  ts.tv_nsec = when_ns % 1'000'000'000;
  while (::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  std::string err;
  if (!parse(argc, argv, o, err)) {
    std::fprintf(stderr, "voxmon-replay: %s\n", err.c_str());
    usage(stderr);
    return 2;
  }
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* in = pcap_open_offline_with_tstamp_precision(o.file.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (!in) {
    std::fprintf(stderr, "voxmon-replay: cannot read '%s': %s\n", o.file.c_str(), errbuf);
    return 2;
  }
  if (pcap_datalink(in) != DLT_EN10MB) {
    std::fprintf(stderr,
                 "voxmon-replay: '%s' has link type %s; only Ethernet frames can be sent out of an "
                 "interface\n",
                 o.file.c_str(), pcap_datalink_val_to_name(pcap_datalink(in)));
    pcap_close(in);
    return 2;
  }
  pcap_t* out = pcap_create(o.interface.c_str(), errbuf);
  int rc = out ? pcap_activate(out) : PCAP_ERROR;
  if (rc < 0) {
    const std::string why = out ? pcap_geterr(out) : errbuf;
    const char* hint = rc == PCAP_ERROR_PERM_DENIED ? " (sending needs root or CAP_NET_RAW)"
                       : rc == PCAP_ERROR_NO_SUCH_DEVICE ? " (no such interface: see `ip link`)"
                                                         : "";
    std::fprintf(stderr, "voxmon-replay: interface '%s': %s%s\n", o.interface.c_str(), why.c_str(), hint);
    if (out)
      pcap_close(out);
    pcap_close(in);
    return 2;
  }

  voxmon::replay::replay_clock clock(o.multiplier);
  uint64_t sent = 0, bytes = 0, failed = 0, truncated = 0, skipped = 0;
  std::optional<int64_t> first_ts;  // of the file (the window is relative to it)
  std::string first_error;
  struct pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  const int64_t started = monotonic_ns();
  while ((rc = pcap_next_ex(in, &h, &data)) == 1) {
    const int64_t ts = int64_t{h->ts.tv_sec} * 1'000'000'000 + h->ts.tv_usec;  // nanosecond precision
    if (!first_ts)
      first_ts = ts;
    if (!o.window.contains(ts - *first_ts)) {
      ++skipped;
      continue;
    }
    if (auto due = clock.due(ts, monotonic_ns()))
      sleep_until(*due);
    if (h->caplen < h->len)
      ++truncated;  // sent as captured: the snaplen cut the rest
    // A full socket buffer (ENOBUFS) at top speed is transient: retry a little before counting.
    bool ok = false;
    for (int tries = 0; !ok; ++tries) {
      ok = pcap_inject(out, data, h->caplen) >= 0;
      if (ok || errno != ENOBUFS || tries >= 1000)
        break;
      sleep_until(monotonic_ns() + 100'000);
    }
    if (ok) {
      ++sent;
      bytes += h->caplen;
    } else {
      if (first_error.empty())
        first_error = pcap_geterr(out);
      ++failed;
    }
  }
  if (rc == PCAP_ERROR) {
    std::fprintf(stderr, "voxmon-replay: '%s' is damaged after %llu frames: %s\n", o.file.c_str(),
                 static_cast<unsigned long long>(sent + failed), pcap_geterr(in));
    failed += 1;
  }
  const double secs = (monotonic_ns() - started) / 1e9;
  if (!o.quiet || failed)
    std::fprintf(stderr, "voxmon-replay: %llu frames, %llu bytes in %.3f s on %s; %llu failed%s%s%s\n",
                 static_cast<unsigned long long>(sent), static_cast<unsigned long long>(bytes),
                 secs, o.interface.c_str(), static_cast<unsigned long long>(failed),
                 first_error.empty() ? "" : " (first: ", first_error.c_str(), first_error.empty() ? "" : ")");
  if (skipped && !o.quiet)
    std::fprintf(stderr, "voxmon-replay: %llu frames outside --from/--to not sent\n",
                 static_cast<unsigned long long>(skipped));
  if (truncated && !o.quiet)
    std::fprintf(stderr, "voxmon-replay: %llu frames were truncated in the file and sent as captured\n",
                 static_cast<unsigned long long>(truncated));
  pcap_close(out);
  pcap_close(in);
  return failed ? 1 : 0;
}
