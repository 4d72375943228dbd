// Importing agency extracts (DESIGN.md section 3): parse, validate, pseudonymise, seal, upsert and
// link, all inside one write transaction, so an import is all-or-nothing: any bad row rejects every
// file of the invocation and stores nothing. The CLI and the HTTP API both call this. Not for
// concurrent use on one Context from several threads (the database serialises writers anyway).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/errors.h"
#include "service/context.h"
#include "service/flags.h"
#include "service/principal.h"

namespace pathaudit::service {

struct ImportOptions {
  bool ignore_unknown_columns = false;
  // What errors, summaries and the audit log call each file, one per file in order; empty: the
  // paths themselves. The API names uploads as the client did, never by their temporary path.
  std::vector<std::string> names;
  // When set, one per file: the file's bytes, already in memory (an upload), read instead of the
  // path, which is then never opened. Uploads hold raw identifiers, which must not be written to
  // disk, even for a moment. The strings must outlive the call.
  std::vector<const std::string*> contents;
  // Called now and then with bytes read so far and the total, for a progress bar.
  std::function<void(std::uint64_t done, std::uint64_t total, std::uint64_t rows)> progress;
};

struct ImportFileSummary {
  std::string file;
  std::string sha256;
  std::int64_t rows = 0;
  std::int64_t inserted = 0;  // of rows: events new to the database
  std::int64_t updated = 0;   // of rows: events stored before, replaced
};

struct ImportResult {
  std::int64_t import_id = 0;
  std::vector<ImportFileSummary> files;
  std::int64_t inserted = 0;
  std::int64_t updated = 0;
  std::int64_t children = 0;       // children in the database after linkage
  std::int64_t links_changed = 0;  // events whose child or tier changed
  FlagComputation flags;           // recomputed in the import's transaction
};

// The whole rejection: one line per error, "file:line:column: message", the first
// kMaxReportedErrors of them, and the total.
class ImportRejected : public core::ValidationError {
 public:
  static constexpr std::size_t kMaxReportedErrors = 100;
  ImportRejected(std::vector<std::string> lines, std::size_t total);
  const std::vector<std::string>& lines() const { return lines_; }
  std::size_t total() const { return total_; }

 private:
  std::vector<std::string> lines_;
  std::size_t total_;
};

// QA leads (and the operator) only; recorded in the name of `who`.
ImportResult import_files(Context& ctx, const Principal& who, const std::vector<std::string>& files,
                          const ImportOptions& options = {});

}  // namespace pathaudit::service
