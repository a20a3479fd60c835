#pragma once
// Every atom of the pipeline (CAF 0.17: at most 10 characters each).
#include <caf/atom.hpp>

namespace voxmon {

using read_atom = caf::atom_constant<caf::atom("read")>;        // capture: read the next batch
using batch_atom = caf::atom_constant<caf::atom("batch")>;      // capture -> router
using credit_atom = caf::atom_constant<caf::atom("credit")>;    // router -> capture (reply)
using eof_atom = caf::atom_constant<caf::atom("eof")>;          // end of a source's input
using packets_atom = caf::atom_constant<caf::atom("packets")>;  // router -> call
using close_atom = caf::atom_constant<caf::atom("close")>;      // router -> call
using cdr_atom = caf::atom_constant<caf::atom("cdr")>;          // call -> cdr_writer
using done_atom = caf::atom_constant<caf::atom("done")>;        // router -> writer; node -> writer
using flush_atom = caf::atom_constant<caf::atom("flush")>;      // cdr_writer timer
using spool_atom = caf::atom_constant<caf::atom("spool")>;      // call -> spool_writer
using retain_atom = caf::atom_constant<caf::atom("retain")>;    // spool_writer retention timer
using caploss_atom = caf::atom_constant<caf::atom("caploss")>;  // capture -> router -> calls: drops
using status_atom = caf::atom_constant<caf::atom("status")>;    // node -> any stage: live counters
using tick_atom = caf::atom_constant<caf::atom("tick")>;        // live capture -> router: idle time
using progress_atom = caf::atom_constant<caf::atom("progress")>;  // live capture -> router: merge floor
using sync_atom = caf::atom_constant<caf::atom("sync")>;        // mirror feed -> writer: stored?
using reload_atom = caf::atom_constant<caf::atom("reload")>;    // node -> capture/router: SIGHUP

}  // namespace voxmon
