#include "service/import.h"

#include <Poco/Data/Statement.h>
#include <Poco/Path.h>
#include <sys/stat.h>

#include <exception>
#include <filesystem>
#include <fstream>
#include <istream>
#include <stdexcept>
#include <streambuf>
#include <thread>

#include "core/linkage.h"
#include "crypto/bytes.h"
#include "crypto/hash.h"
#include "ingest/csv_reader.h"
#include "ingest/event_keys.h"
#include "ingest/event_row.h"
#include "service/bounded_queue.h"
#include "store/events.h"
#include "store/sealed_fields.h"

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

namespace pathaudit::service {
namespace {

std::string join_lines(const std::vector<std::string>& lines, std::size_t total) {
  std::string out = "import rejected: " + std::to_string(total) + " error" +
                    (total == 1 ? "" : "s") + "; nothing was stored";
  for (const auto& l : lines)
    out += "\n" + l;
  if (total > lines.size()) {
    out += "\n... and " + std::to_string(total - lines.size()) + " more errors";
  }
  return out;
}

ingest::AgencyDirectory load_agencies(store::Session& s) {
  ingest::AgencyDirectory out;
  std::vector<int> ids;
  std::vector<std::string> codes, kinds;
  s << "SELECT id, code, kind FROM agencies WHERE active = 1", into(ids), into(codes), into(kinds),
      now;
  for (std::size_t i = 0; i < ids.size(); ++i)
    out[codes[i]] = {ids[i], kinds[i]};
  return out;
}

template <class P>
std::optional<crypto::Pseudonym> copy_opt(const std::optional<P>& p) {
  return p ? std::optional<crypto::Pseudonym>(*p) : std::nullopt;
}

}  // namespace

ImportRejected::ImportRejected(std::vector<std::string> lines, std::size_t total)
    : core::ValidationError(join_lines(lines, total)), lines_(std::move(lines)), total_(total) {}

namespace {

// Reads a string in place (std::istringstream would copy it).
class MemoryBuffer : public std::streambuf {
 public:
  void view(const std::string& bytes) {
    char* p = const_cast<char*>(bytes.data());  // only ever read: get area only
    setg(p, p, p + bytes.size());
  }
};

// One row ready for the database, and whether it replaces a stored event.
struct PreparedEvent {
  store::StoredEvent event;
  bool existing = false;
  // Sealed by the writer thread, which otherwise waits on the parser: the plaintext crosses the
  // queue in memory only.
  std::string event_ref;
  std::string notes;
};
using Batch = std::vector<PreparedEvent>;
constexpr std::size_t kBatchRows = 2048;

// The parsing side of an import: reads every file, validates every row, and (while no error has
// been seen) pseudonymises and seals rows into batches for the writer. Runs on its own thread; it
// touches no database connection.
class RowProducer {
 public:
  RowProducer(const crypto::Keyring& keyring, const ingest::AgencyDirectory& agencies,
              store::EventRefIndex& refs, core::Date today, std::int64_t import_id,
              std::vector<ImportFileSummary>& files, const std::vector<std::string>& paths,
              std::uint64_t total_bytes, const ImportOptions& options, BoundedQueue<Batch>& queue)
      : keyring_(keyring),
        agencies_(agencies),
        refs_(refs),
        today_(today),
        import_id_(import_id),
        files_(files),
        paths_(paths),
        total_bytes_(total_bytes),
        options_(options),
        queue_(queue) {}

  void run() {
    try {
      for (std::size_t i = 0; i < files_.size(); ++i) {
        if (!read_file(files_[i], i))
          break;
      }
      if (!batch_.empty())
        queue_.push(std::move(batch_));
    } catch (...) {
      failure_ = std::current_exception();
    }
    queue_.close();
  }

  std::exception_ptr failure() const { return failure_; }
  const std::vector<std::string>& errors() const { return errors_; }
  std::size_t error_count() const { return error_count_; }
  std::int64_t inserted() const { return inserted_; }
  std::int64_t updated() const { return updated_; }

 private:
  void report(const std::string& file, const ingest::RowError& e) {
    ++error_count_;
    if (errors_.size() < ImportRejected::kMaxReportedErrors) {
      errors_.push_back(file + ":" + std::to_string(e.line) + ":" + std::to_string(e.column) +
                        ": " + e.message);
    }
  }

  // False when the writer has stopped (the queue was closed under us).
  bool read_file(ImportFileSummary& summary, std::size_t i) {
    std::ifstream file;
    MemoryBuffer memory;
    std::istream in(nullptr);
    if (!options_.contents.empty()) {
      memory.view(*options_.contents[i]);
      in.rdbuf(&memory);
    } else {
      file.open(paths_[i], std::ios::binary);
      if (!file)
        throw core::ValidationError(summary.file + ": cannot be read");
      in.rdbuf(file.rdbuf());
    }
    ingest::CsvReader reader(in);
    crypto::Sha256 sha256;
    reader.set_block_observer([&](const char* p, std::size_t n) { sha256.update(p, n); });
    struct Finish {  // the file's hash, whichever way parsing ends
      ingest::CsvReader& reader;
      crypto::Sha256& sha256;
      ImportFileSummary& summary;
      ~Finish() {
        try {
          reader.drain();
          const auto d = sha256.finish();
          summary.sha256 = crypto::to_hex(d.data(), d.size());
        } catch (...) {
        }
      }
    } finish{reader, sha256, summary};
    ingest::CsvRecord record;
    std::vector<ingest::RowError> row_errors;
    try {
      if (!reader.next(record)) {
        report(summary.file, {1, 0, "the file is empty; expected a header row"});
        return true;
      }
      const ingest::Header header =
          ingest::parse_header(record, options_.ignore_unknown_columns, row_errors);
      for (const auto& e : row_errors)
        report(summary.file, e);
      if (!row_errors.empty())
        return true;  // rows cannot be read without a valid header
      ingest::EventRow row;
      while (reader.next(record)) {
        if (record.fields.size() == 1 && record.fields[0].empty())
          continue;  // blank line
        row_errors.clear();
        ++summary.rows;
        ++rows_;
        if (!ingest::parse_row(header, record, agencies_, today_, row, row_errors)) {
          for (const auto& e : row_errors)
            report(summary.file, e);
          continue;
        }
        if (error_count_ > 0)
          continue;  // keep validating, stop preparing: it will roll back
        if (!prepare(summary, header, record, row))
          return false;
        if (options_.progress && (rows_ & 0x3fff) == 0) {
          options_.progress(bytes_before_ + reader.bytes_read(), total_bytes_,
                            static_cast<std::uint64_t>(rows_));
        }
      }
    } catch (const ingest::CsvSyntaxError& e) {
      // The rest of this file cannot be read reliably; other files are still checked.
      report(summary.file, {e.line(), e.column(), e.what()});
    }
    bytes_before_ += reader.bytes_read();
    return true;
  }

  bool prepare(ImportFileSummary& summary, const ingest::Header& header,
               const ingest::CsvRecord& record, const ingest::EventRow& row) {
    const ingest::EventKeys keys = ingest::event_keys(keyring_, row);
    const store::EventRefIndex::Claim claim = refs_.claim(keys.event_ref, import_id_);
    if (claim.repeated) {
      report(summary.file, {record.line, header.at(ingest::Column::event_id) + 1,
                            "event_id: the same agency and event_id appear earlier in this "
                            "import; each event must appear once"});
      return true;
    }
    PreparedEvent p;
    p.existing = claim.existed;
    store::StoredEvent& e = p.event;
    e.id = claim.id;
    e.agency_id = agencies_.find(row.agency)->second.id;
    e.event_ref_hmac = keys.event_ref;
    p.event_ref = row.event_id;
    e.event_type = row.event_type;
    e.event_date = row.event_date.iso();
    e.sex = row.sex;
    if (row.dob)
      e.age_years = core::age_in_years(*row.dob, row.event_date);
    e.entry_point = row.entry_point;
    if (!row.to_agency.empty())
      e.to_agency_id = agencies_.find(row.to_agency)->second.id;
    e.to_service = row.to_service;
    e.participants = row.participants;
    e.outcome = row.outcome;
    e.category = row.category;
    e.relates_to_hmac = keys.relates_to;
    p.notes = row.notes;
    e.nhs_key = copy_opt(keys.nhs);
    e.local_key = copy_opt(keys.local);
    e.exact_key = copy_opt(keys.exact);
    e.probable_key = copy_opt(keys.probable);
    e.probable_swap_key = copy_opt(keys.probable_swap);
    e.import_id = import_id_;
    (p.existing ? updated_ : inserted_) += 1;
    (p.existing ? summary.updated : summary.inserted) += 1;
    batch_.push_back(std::move(p));
    if (batch_.size() >= kBatchRows) {
      if (!queue_.push(std::move(batch_)))
        return false;
      batch_ = Batch();
      batch_.reserve(kBatchRows);
    }
    return true;
  }

  const crypto::Keyring& keyring_;
  const ingest::AgencyDirectory& agencies_;
  store::EventRefIndex& refs_;
  const core::Date today_;
  const std::int64_t import_id_;
  std::vector<ImportFileSummary>& files_;
  const std::vector<std::string>& paths_;  // read from; files_[i].file is what messages name
  const std::uint64_t total_bytes_;
  const ImportOptions& options_;
  BoundedQueue<Batch>& queue_;

  Batch batch_;
  std::uint64_t bytes_before_ = 0;
  std::int64_t rows_ = 0;
  std::vector<std::string> errors_;
  std::size_t error_count_ = 0;
  std::int64_t inserted_ = 0, updated_ = 0;
  std::exception_ptr failure_;
};

std::string files_text(const std::vector<ImportFileSummary>& files) {
  std::string text;
  for (const auto& f : files) {
    text += (text.empty() ? "" : ";") + Poco::Path(f.file).getFileName() + "=" + f.sha256;
  }
  return text;
}

}  // namespace

ImportResult import_files(Context& ctx, const Principal& who, const std::vector<std::string>& files,
                          const ImportOptions& options) {
  require_qa(who, "importing agency extracts");
  if (files.empty())
    throw core::ValidationError("no files to import");
  ImportResult result;
  std::uint64_t total_bytes = 0;
  if (!options.names.empty() && options.names.size() != files.size())
    throw std::logic_error("import_files: one name per file");
  if (!options.contents.empty() && options.contents.size() != files.size())
    throw std::logic_error("import_files: one content per file");
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::string& name = options.names.empty() ? files[i] : options.names[i];
    if (!options.contents.empty()) {
      result.files.push_back({name, "", 0});
      total_bytes += options.contents[i]->size();
      continue;
    }
    std::error_code ec;
    const auto size = std::filesystem::file_size(files[i], ec);
    if (ec)
      throw core::ValidationError(name + ": cannot be read (missing or not permitted)");
    result.files.push_back({name, "", 0});
    total_bytes += size;
  }
  const auto keyring_holder = ctx.keyring();
  const crypto::Keyring& keyring = *keyring_holder;
  const core::Date today = ctx.clock().today();
  const std::string started = ctx.clock().now_utc();
  std::string hashes;  // known once every file has been read

  try {
    // A bulk write: the foreign keys of a million rows are checked once, before the commit.
    ctx.db().write_bulk([&](store::Session& s) {
      const ingest::AgencyDirectory agencies = load_agencies(s);
      std::string actor = who.actor(), at = started, files_column;
      s << "INSERT INTO imports (actor, started_at, files) VALUES (?, ?, ?)", use(actor), use(at),
          use(files_column), now;
      s << "SELECT last_insert_rowid()", into(result.import_id), now;

      // Parsing, pseudonymising and sealing run on a second thread while this one writes: the two
      // halves cost about the same, and the machine this is built for has two cores.
      {  // the reference index and writer are freed before linkage needs the memory
        store::EventRefIndex refs(s);
        store::EventWriter writer(s);
        BoundedQueue<Batch> queue(8);
        RowProducer producer(keyring, agencies, refs, today, result.import_id, result.files, files,
                             total_bytes, options, queue);
        std::thread parser([&] { producer.run(); });
        try {
          std::vector<const store::StoredEvent*> inserts;
          crypto::FieldSealer sealer = keyring.sealer("field");
          while (auto batch = queue.pop()) {
            inserts.clear();
            for (PreparedEvent& p : *batch) {
              store::StoredEvent& e = p.event;
              e.event_ref_sealed = sealer.seal(
                  p.event_ref, store::sealed_field_aad("events", "event_ref_sealed", e.id));
              if (!p.notes.empty()) {
                e.notes_sealed =
                    sealer.seal(p.notes, store::sealed_field_aad("events", "notes_sealed", e.id));
              }
              if (p.existing)
                writer.update(e);
              else
                inserts.push_back(&e);
            }
            writer.insert(inserts);
          }
        } catch (...) {
          queue.close();
          parser.join();
          throw;
        }
        parser.join();
        hashes = files_text(result.files);
        if (producer.failure())
          std::rethrow_exception(producer.failure());
        if (producer.error_count() > 0) {
          throw ImportRejected(producer.errors(), producer.error_count());
        }
        result.inserted = producer.inserted();
        result.updated = producer.updated();
      }

      {  // the link input (about 120 bytes an event) is freed before the flags need the memory
        const store::LinkInput input = store::load_link_input(s);
        const auto links = core::link(input.records);
        const store::LinkOutcome outcome = store::apply_links(s, input, links, started);
        result.children = outcome.children;
        result.links_changed = outcome.events_changed;
      }
      // Flags follow the events they are about: recomputed in the same transaction, so no commit
      // ever leaves flags for events that changed.
      result.flags = recompute_flags(ctx, s, who);

      std::string finished = ctx.clock().now_utc();
      std::int64_t inserted = result.inserted, updated = result.updated, id = result.import_id;
      std::string files_done = hashes;
      s << "UPDATE imports SET finished_at = ?, files = ?, rows_inserted = ?, rows_updated = ? "
           "WHERE id = ?",
          use(finished), use(files_done), use(inserted), use(updated), use(id), now;
      audit_as(ctx, s, who, "import.commit", "import:" + std::to_string(result.import_id),
               "ok: " + std::to_string(result.files.size()) + " files (" + hashes + "), " +
                   std::to_string(inserted) + " inserted, " + std::to_string(updated) +
                   " updated, " + std::to_string(result.children) + " children");
    });
  } catch (const ImportRejected& rejected) {
    // The rejection itself is recorded (who, which files, how many errors), never the rows.
    ctx.db().write([&](store::Session& s) {
      audit_as(ctx, s, who, "import.reject", "",
               "refused: " + std::to_string(rejected.total()) + " errors in " + hashes);
    });
    throw;
  }
  return result;
}

}  // namespace pathaudit::service
