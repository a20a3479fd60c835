#pragma once
// The mirror sender role (packetbuffer_sender = yes with server_destination): capture from one
// interface, or read `-r FILE` (--replay-speed), and stream every packet to the receiver
// (actors/mirror_sender). No analysis, no CDRs here.
#include "config/settings.hpp"

namespace voxmon::nodes {

// Exit code: 0 once the receiver has acknowledged the end of the stream, 1 when the input
// cannot be read, 2 for unusable settings, 3 when frames remain unacknowledged at the end
// (server_flush_timeout).
int run_mirror_sender(const config::settings& s);

}  // namespace voxmon::nodes
