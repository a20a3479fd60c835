#pragma once
// Flow control of every packet source (file capture, live capture, HEP listener): the batch
// handed to the router shares the block, and the block's real owner lives in the deleter, so
// when the last holder anywhere in the pipeline (router, calls, spool writers) lets go, the
// block is freed and the source gets a `credit` back. A source keeps at most max_in_flight
// batches alive.
#include <caf/send.hpp>

#include "core/packet_batch.hpp"
#include "messages/atoms.hpp"

namespace voxmon {

template <class SourceHandle>
core::batch_ptr credit_on_release(core::batch_ptr owner, SourceHandle source) {
  const auto* block = owner.get();
  return core::batch_ptr(block, [owner = std::move(owner), source = std::move(source)](
                                  const core::packet_batch*) mutable {
    owner.reset();
    caf::anon_send(source, credit_atom::value);
  });
}

}  // namespace voxmon
