#pragma once
// Where a call's files are: its fbasename (cdr_next) and calldate, which core::find_call_files
// needs to find the SIP and RTP pcaps in the spool, and the sensor that saved them (the central
// node fetches them from there when its own spool has none). Shared by the ladder, pcap and audio
// endpoints.
#include <optional>
#include <string>

#include "core/net_types.hpp"
#include "gui/gui_db.hpp"

namespace voxmon::gui {

struct call_location {
  std::string fbasename;                        // empty when cdr_next has no row
  std::optional<core::timestamp_ns> calldate;
  std::optional<uint32_t> id_sensor;            // the sensor that recorded the call
};

// nullopt when no call has this id.
std::optional<call_location> locate_call(db_pool& pool, int64_t id);

// cdr.id_sensor as a sensor id; nullopt for NULL or a value out of range.
std::optional<uint32_t> sensor_of(const db_value& v);

// "YYYY-MM-DD HH:MM:SS[.mmm]" (as either store gives it) -> ns since the epoch.
std::optional<core::timestamp_ns> calldate_ns(const std::string& text);

// The fbasename made safe for a Content-Disposition file name: at most 180 characters, only
// [A-Za-z0-9.-_@] (others become _).
std::string download_name(const std::string& fbasename);

}  // namespace voxmon::gui
