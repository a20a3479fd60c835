#pragma once
// Where an SDP says media will be received: the RTP endpoint of each enabled m= line and its
// RTCP endpoint (a=rtcp, else port+1; the RTP port itself with a=rtcp-mux).
#include "core/sdp.hpp"

namespace voxmon::core {

struct announced_media {
  endpoint rtp;
  endpoint rtcp;
  bool rtcp_mux = false;
};

template <class F>
void for_each_announced_media(const sdp_session& s, F&& f) {
  for (size_t i = 0; i < s.media_count; ++i) {
    const sdp_media& m = s.media[i];
    if (m.port == 0 || !m.address)
      continue;
    announced_media a;
    a.rtp = endpoint{*m.address, m.port};
    a.rtcp_mux = m.rtcp_mux;
    if (m.rtcp_mux)
      a.rtcp = a.rtp;
    else if (m.rtcp_port)
      a.rtcp = endpoint{m.rtcp_address.value_or(*m.address), *m.rtcp_port};
    else
      a.rtcp = endpoint{*m.address, static_cast<uint16_t>(m.port == 65535 ? 0 : m.port + 1)};
    f(a, m);
  }
}

}  // namespace voxmon::core
