#pragma once
// The daemon's log: levels, to stderr ("voxmon: [warn] ...", with a UTC time stamp) or to
// syslog (facility daemon). Thread-safe; one line per call.
#include <string>

namespace voxmon::core::log {

enum class level : int { error = 0, warn = 1, info = 2, debug = 3 };

// `verbosity`: the highest level written (info by default; -v = debug).
void init(level verbosity, bool to_syslog);
bool enabled(level l);
void write(level l, const std::string& text);

inline void error(const std::string& t) { write(level::error, t); }
inline void warn(const std::string& t) { write(level::warn, t); }
inline void info(const std::string& t) { write(level::info, t); }
inline void debug(const std::string& t) { write(level::debug, t); }

}  // namespace voxmon::core::log
