#include "service/import.h"

#include <Poco/Data/Statement.h>
#include <Poco/Path.h>
#include <sys/stat.h>

#include <fstream>

#include "core/linkage.h"
#include "crypto/hash.h"
#include "ingest/csv_reader.h"
#include "ingest/event_keys.h"
#include "ingest/event_row.h"
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

std::string file_sha256(const std::string& path, std::uint64_t& size) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw core::ValidationError(path + ": cannot be read (missing or not permitted)");
  crypto::Sha256 h;
  std::vector<char> buf(1 << 16);
  size = 0;
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    h.update(buf.data(), n);
    size += n;
  }
  const auto d = h.finish();
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (auto b : d)
    out += std::string{hex[b >> 4], hex[b & 15]};
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

std::optional<int> age_in_years(core::Date dob, core::Date at) {
  int age = at.year() - dob.year();
  if (at.month() < dob.month() || (at.month() == dob.month() && at.day() < dob.day()))
    --age;
  return age;
}

template <class P>
std::optional<crypto::Pseudonym> copy_opt(const std::optional<P>& p) {
  return p ? std::optional<crypto::Pseudonym>(*p) : std::nullopt;
}

}  // namespace

ImportRejected::ImportRejected(std::vector<std::string> lines, std::size_t total)
    : core::ValidationError(join_lines(lines, total)), lines_(std::move(lines)), total_(total) {}

ImportResult import_files(Context& ctx, const std::vector<std::string>& files,
                          const ImportOptions& options) {
  if (files.empty())
    throw core::ValidationError("no files to import");
  ImportResult result;
  std::uint64_t total_bytes = 0;
  for (const auto& f : files) {
    std::uint64_t size = 0;
    result.files.push_back({f, file_sha256(f, size), 0});
    total_bytes += size;
  }
  const crypto::Keyring& keyring = ctx.keyring();
  const core::Date today = ctx.clock().today();
  const std::string started = ctx.clock().now_utc();

  std::vector<std::string> errors;
  std::size_t error_count = 0;
  auto report = [&](const std::string& file, const ingest::RowError& e) {
    ++error_count;
    if (errors.size() < ImportRejected::kMaxReportedErrors) {
      errors.push_back(file + ":" + std::to_string(e.line) + ":" + std::to_string(e.column) + ": " +
                       e.message);
    }
  };

  try {
    ctx.db().write([&](store::Session& s) {
      const ingest::AgencyDirectory agencies = load_agencies(s);
      std::string files_text;
      for (const auto& f : result.files) {
        files_text +=
            (files_text.empty() ? "" : ";") + Poco::Path(f.file).getFileName() + "=" + f.sha256;
      }
      std::string actor = ctx.actor(), at = started;
      s << "INSERT INTO imports (actor, started_at, files) VALUES (?, ?, ?)", use(actor), use(at),
          use(files_text), now;
      s << "SELECT last_insert_rowid()", into(result.import_id), now;

      store::EventWriter writer(s);
      std::uint64_t bytes_before = 0;
      std::int64_t rows_total = 0;
      for (auto& summary : result.files) {
        std::ifstream in(summary.file, std::ios::binary);
        if (!in)
          throw core::ValidationError(summary.file + ": cannot be read");
        ingest::CsvReader reader(in);
        ingest::CsvRecord record;
        std::vector<ingest::RowError> row_errors;
        try {
          if (!reader.next(record)) {
            report(summary.file, {1, 0, "the file is empty; expected a header row"});
            continue;
          }
          const ingest::Header header =
              ingest::parse_header(record, options.ignore_unknown_columns, row_errors);
          for (const auto& e : row_errors)
            report(summary.file, e);
          if (!row_errors.empty())
            continue;  // rows cannot be read without a valid header
          ingest::EventRow row;
          while (reader.next(record)) {
            if (record.fields.size() == 1 && record.fields[0].empty())
              continue;  // blank line
            row_errors.clear();
            ++summary.rows;
            ++rows_total;
            if (!ingest::parse_row(header, record, agencies, today, row, row_errors)) {
              for (const auto& e : row_errors)
                report(summary.file, e);
              continue;
            }
            if (error_count > 0)
              continue;  // keep validating, stop writing: it will roll back

            const ingest::EventKeys keys = ingest::event_keys(keyring, row);
            const int agency_id = agencies.find(row.agency)->second.id;
            store::StoredEvent e;
            const auto existing = writer.find(keys.event_ref);
            if (existing && existing->import_id == result.import_id) {
              report(summary.file, {record.line, header.at(ingest::Column::event_id) + 1,
                                    "event_id: the same agency and event_id appear earlier in "
                                    "this import; each event must appear once"});
              continue;
            }
            e.id = existing ? existing->id : writer.allocate_id();
            e.agency_id = agency_id;
            e.event_ref_hmac = keys.event_ref;
            e.event_ref_sealed = keyring.seal(
                "field", row.event_id, store::sealed_field_aad("events", "event_ref_sealed", e.id));
            e.event_type = row.event_type;
            e.event_date = row.event_date.iso();
            e.sex = row.sex;
            if (row.dob)
              e.age_years = age_in_years(*row.dob, row.event_date);
            e.entry_point = row.entry_point;
            if (!row.to_agency.empty())
              e.to_agency_id = agencies.find(row.to_agency)->second.id;
            e.to_service = row.to_service;
            e.participants = row.participants;
            e.outcome = row.outcome;
            e.category = row.category;
            e.relates_to_hmac = keys.relates_to;
            if (!row.notes.empty()) {
              e.notes_sealed = keyring.seal(
                  "field", row.notes, store::sealed_field_aad("events", "notes_sealed", e.id));
            }
            e.nhs_key = copy_opt(keys.nhs);
            e.local_key = copy_opt(keys.local);
            e.exact_key = copy_opt(keys.exact);
            e.probable_key = copy_opt(keys.probable);
            e.probable_swap_key = copy_opt(keys.probable_swap);
            e.import_id = result.import_id;
            if (existing) {
              writer.update(e);
              ++result.updated;
            } else {
              writer.insert(e);
              ++result.inserted;
            }
            if (options.progress && (rows_total & 0x3fff) == 0) {
              options.progress(bytes_before + reader.bytes_read(), total_bytes,
                               static_cast<std::uint64_t>(rows_total));
            }
          }
        } catch (const ingest::CsvSyntaxError& e) {
          // The rest of this file cannot be read reliably; other files are still checked.
          report(summary.file, {e.line(), e.column(), e.what()});
        }
        bytes_before += reader.bytes_read();
      }
      if (error_count > 0)
        throw ImportRejected(errors, error_count);

      const store::LinkInput input = store::load_link_input(s);
      const auto links = core::link(input.records);
      const store::LinkOutcome outcome = store::apply_links(s, input, links, started);
      result.children = outcome.children;
      result.links_changed = outcome.events_changed;

      std::string finished = ctx.clock().now_utc();
      std::int64_t inserted = result.inserted, updated = result.updated, id = result.import_id;
      s << "UPDATE imports SET finished_at = ?, rows_inserted = ?, rows_updated = ? WHERE id = ?",
          use(finished), use(inserted), use(updated), use(id), now;
      ctx.audit(s, "import.commit", "import:" + std::to_string(result.import_id),
                "ok: " + std::to_string(result.files.size()) + " files (" + files_text + "), " +
                    std::to_string(inserted) + " inserted, " + std::to_string(updated) +
                    " updated, " + std::to_string(result.children) + " children");
    });
  } catch (const ImportRejected& rejected) {
    // The rejection itself is recorded (who, which files, how many errors), never the rows.
    ctx.db().write([&](store::Session& s) {
      std::string hashes;
      for (const auto& f : result.files) {
        hashes += (hashes.empty() ? "" : ";") + Poco::Path(f.file).getFileName() + "=" + f.sha256;
      }
      ctx.audit(s, "import.reject", "",
                "refused: " + std::to_string(rejected.total()) + " errors in " + hashes);
    });
    throw;
  }
  return result;
}

}  // namespace pathaudit::service
