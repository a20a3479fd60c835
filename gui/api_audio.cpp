// /api/cdr/ID/audio (the RTP streams of the call's spool RTP pcap, and which can be played) and
// /api/cdr/ID/audio/N.wav (stream N's G.711 audio as WAV), from core/g711_audio.
#include <cctype>
#include <cstdio>

#include "core/g711_audio.hpp"
#include "core/spool_lookup.hpp"
#include "gui/api.hpp"
#include "gui/call_location.hpp"
#include "gui/cdr_query.hpp"

namespace voxmon::gui {

using nlohmann::json;

namespace {

// "N.wav" -> N (1 to 6 digits).
std::optional<size_t> wav_index(const std::string& name) {
  const size_t dot = name.size() >= 4 ? name.size() - 4 : 0;
  if (dot == 0 || dot > 6 || name.compare(dot, 4, ".wav") != 0)
    return std::nullopt;
  size_t n = 0;
  for (size_t i = 0; i < dot; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(name[i])))
      return std::nullopt;
    n = n * 10 + static_cast<size_t>(name[i] - '0');
  }
  return n;
}

std::string ssrc_text(uint32_t ssrc) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%08X", ssrc);
  return b;
}

}  // namespace

http_response gui_api::cdr_audio(context& c, int64_t id, const std::string& sub) {
  if (!c.query.empty())
    return error_json(400, "unknown parameter '" + c.query.begin()->first.substr(0, 64) +
                               "' (the audio endpoints take no parameters)");
  std::optional<size_t> wanted;
  if (sub != "audio") {
    wanted = wav_index(sub.substr(6));  // after "audio/"
    if (!wanted)
      return error_json(404, "no such API endpoint: " + c.req.path.substr(0, 100) +
                                 " (a stream's audio is /api/cdr/ID/audio/N.wav, N from /api/cdr/ID/audio)");
  }
  const std::string call = "call " + std::to_string(id);
  const auto where = locate_call(*pool_, id);
  if (!where)
    return error_json(404, "no call with id " + std::to_string(id));
  if (where->fbasename.empty())
    return error_json(404, call + " has no file name in cdr_next: no RTP pcap to play");
  core::spool_call_files files;
  remote_call_files remote;  // a remote sensor's copies live until they are read
  if (auto failed = call_files(*where, false, true, files, remote))
    return *failed;
  if (files.rtp.empty())
    return error_json(404, "no RTP pcap of " + call + " ('" + where->fbasename + "') in spool '" +
                               settings_.spooldir + "' (savertp off, or cleaned): no audio");
  core::call_rtp rtp;
  std::string error;
  if (!core::read_call_rtp(files.rtp, rtp, error, wanted))
    return error_json(500, "cannot read the RTP pcap: " + error);
  if (rtp.headers_only())
    return error_json(404, "RTP saved as headers only: no audio (" + call + " was saved with savertp = header)");
  const auto streams = core::list_audio_streams(rtp);
  if (!wanted) {
    json list = json::array();
    for (const auto& s : streams) {
      json o = {{"index", s.index}, {"src", s.key.src.to_string()}, {"dst", s.key.dst.to_string()},
                {"ssrc", ssrc_text(s.key.ssrc)}, {"codec", s.codec}, {"payload_type", s.payload_type},
                {"packets", s.packets}, {"playable", s.playable}};
      if (s.playable)
        o["wav"] = "/api/cdr/" + std::to_string(id) + "/audio/" + std::to_string(s.index) + ".wav";
      else
        o["reason"] = s.reason;
      list.push_back(std::move(o));
    }
    return json_response(200, json{{"id", id}, {"streams", list}});
  }
  if (*wanted >= streams.size())
    return error_json(404, call + " has " + std::to_string(streams.size()) + " RTP stream" +
                               (streams.size() == 1 ? "" : "s") + ": no stream " + std::to_string(*wanted) +
                               " (streams count from 0)");
  const auto& info = streams[*wanted];
  if (!info.playable)
    return error_json(404, "stream " + std::to_string(*wanted) + " of " + call + ": " + info.reason);
  core::g711_audio audio = core::decode_g711_stream(rtp.streams[*wanted]);
  rtp = {};  // the payloads are decoded: free them before the WAV is built
  http_response res;
  res.content_type = "audio/wav";
  res.body = core::wav_file(audio.samples);
  audio.samples = {};
  res.headers.emplace_back("Content-Disposition", "inline; filename=\"" + download_name(where->fbasename) +
                                                      "-stream" + std::to_string(*wanted) + ".wav\"");
  res.headers.emplace_back("X-Voxmon-Audio", "packets=" + std::to_string(audio.packets_used) +
                                                 " duplicates=" + std::to_string(audio.duplicates) +
                                                 " not_g711=" + std::to_string(audio.not_g711) +
                                                 " silence_samples=" + std::to_string(audio.silence_samples));
  if (audio.cut)
    res.headers.emplace_back("X-Voxmon-Audio-Note", audio.note);
  return res;
}

}  // namespace voxmon::gui
