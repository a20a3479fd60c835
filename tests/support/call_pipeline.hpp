#pragma once
// Plays the actors' part for core tests: routes batches (or merge rounds) with a
// core::call_directory and applies each routing plan to core::call objects, as the router and
// the call actors do. CDRs are kept in close order.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "core/call_directory.hpp"

namespace voxmon::test {

struct call_pipeline {
  core::call_directory directory;
  std::map<uint64_t, std::unique_ptr<core::call>> calls;
  std::vector<core::cdr> cdrs;  // in close order
  core::run_stats stats;
  uint32_t id_sensor;

  explicit call_pipeline(core::call_timeouts t = {}, uint32_t id_sensor = 0)
      : directory(t), id_sensor(id_sensor) {}

  // `batches`: those the plan's routed_packet::batch indexes (one for a batch, a round's).
  void apply(core::routing_plan& plan, std::span<const core::batch_ptr> batches = {}) {
    for (auto& c : plan.created)
      calls[c.call_key] = std::make_unique<core::call>(c.call_id, id_sensor);
    for (auto& d : plan.deliveries) {
      auto& c = *calls.at(d.call_key);
      for (auto& rp : d.packets) {
        const auto& batch = *batches[rp.batch];
        const auto& p = batch.packets[rp.index];
        auto payload = batch.payload(p);
        if (rp.role == core::packet_role::media) {
          c.on_media(payload, p);
        } else {
          std::string_view text{reinterpret_cast<const char*>(payload.data()), payload.size()};
          auto m = core::parse_sip(text.substr(rp.sip_offset));
          REQUIRE(m.message);
          c.on_sip(*m.message, p);
        }
      }
    }
    for (auto& c : plan.closings) {
      REQUIRE(c.close_seq == cdrs.size());
      cdrs.push_back(calls.at(c.call_key)->finish(c.reason));
      calls.erase(c.call_key);
    }
    plan.clear();
  }
  void feed(const core::batch_ptr& batch) {
    core::routing_plan plan;
    directory.route(*batch, plan, stats);
    apply(plan, std::span<const core::batch_ptr>(&batch, 1));
  }
  void feed(const core::merge_round& round) {
    core::routing_plan plan;
    directory.route(round, plan, stats);
    apply(plan, round.batches);
  }
  // An idle tick at packet time `ms`.
  void tick(int64_t ms) {
    core::routing_plan plan;
    directory.advance(ms * 1'000'000, plan);
    apply(plan);
  }
  void end(core::close_reason reason = core::close_reason::end_of_input) {
    core::routing_plan plan;
    directory.close_all(plan, reason);
    apply(plan);
  }
};

}  // namespace voxmon::test
