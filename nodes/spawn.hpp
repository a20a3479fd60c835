#pragma once
// spawn_* functions: read the settings, open what an actor needs (files, stores), and spawn it
// wired to the handles it depends on. Each returns an error a user can act on instead of an
// actor when something cannot be opened.
#include <caf/actor_system.hpp>
#include <caf/expected.hpp>

#include "config/settings.hpp"
#include "messages/actors.hpp"

namespace voxmon::nodes {

// The text of an error made by the spawn functions.
std::string error_text(const caf::error& e);

caf::expected<cdr_writer_actor> spawn_cdr_writer(caf::actor_system& sys, const config::settings& s);
caf::expected<call_router_actor> spawn_call_router(caf::actor_system& sys, const config::settings& s,
                                                   uint64_t source, cdr_writer_actor writer);
caf::expected<capture_actor> spawn_file_capture(caf::actor_system& sys, const config::settings& s,
                                                call_router_actor router);

}  // namespace voxmon::nodes
