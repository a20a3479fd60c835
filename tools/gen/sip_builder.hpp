#pragma once
// SIP (RFC 3261) and SDP (RFC 4566) text of each message of a planned call.
#include <string>

#include "tools/gen/call_plan.hpp"

namespace voxmon::gen {

inline constexpr const char* caller_domain = "a.example.net";
inline constexpr const char* callee_domain = "b.example.net";
inline constexpr const char* caller_agent = "voxmon-gen caller";
inline constexpr const char* callee_agent = "voxmon-gen callee";

std::string call_id(const call_plan& p);
std::string caller_display_name(const call_plan& p);

// The complete message (start line, headers, body) with an exact Content-Length.
std::string build_sip(const call_plan& p, const sip_event& e, bool ipv6, bool tcp);

}  // namespace voxmon::gen
